/**
 * The thundering-herd figures: a peak rate is the busiest one-second window, the time until all
 * are back counts from the stop, and a session dropped after it was back counts as a live
 * session dropped only if the restarted platform had accepted it.
 */
import { describe, expect, it } from 'vitest';
import { emptyCounters, type RoundStats } from '../../bench/reconnect-protocol.js';
import { mergeStats, roundResult, SLOT_MS } from '../../bench/reconnect-report.js';

const KILLED_AT_MS = 1_000_000;
const restart = { killedAtMs: KILLED_AT_MS, exitedAtMs: KILLED_AT_MS + 500, readyAtMs: KILLED_AT_MS + 8_000, forced: false };
const slot = (offsetMs: number) => String(Math.floor((KILLED_AT_MS + offsetMs) / SLOT_MS));

function stats(overrides: Partial<RoundStats>): RoundStats {
  return { ...emptyCounters(), backPerSlot: {}, attemptsPerSlot: {}, lastBackAtMs: 0, probeAckMs: [], drops: [], ...overrides };
}

describe('bench:reconnect figures', () => {
  it('takes the peak connects/s over sliding one-second windows, summed over workers', () => {
    const a = stats({ backPerSlot: { [slot(8_000)]: 30, [slot(8_500)]: 40, [slot(9_500)]: 50 }, lastBackAtMs: KILLED_AT_MS + 9_500 });
    const b = stats({ backPerSlot: { [slot(8_500)]: 10 }, lastBackAtMs: KILLED_AT_MS + 8_500 });
    const result = roundResult('SIGKILL', 'jitter', restart, mergeStats([a, b]));
    // 8.5 s to 9.4 s holds 40 + 10 and 9.5 s falls outside; 8.0-8.9 s holds 30 + 50 = 80.
    expect(result.peakConnectsPerSec).toBe(80);
    expect(result.allBackAfterKillMs).toBe(9_500);
    expect(result.allBackAfterReadyMs).toBe(1_500);
  });

  it('tells sessions the stopping platform accepted from live sessions the restarted one dropped', () => {
    const drops = [
      { backAtMs: KILLED_AT_MS + 200, lostAtMs: KILLED_AT_MS + 500, reason: 'closed', afterConnectTimeout: false },
      { backAtMs: KILLED_AT_MS + 9_000, lostAtMs: KILLED_AT_MS + 12_000, reason: 'closed', afterConnectTimeout: true },
    ];
    const result = roundResult('SIGTERM', 'immediate', restart, mergeStats([stats({ drops, lastBackAtMs: KILLED_AT_MS + 13_000 })]));
    expect(result.acceptedWhileStopping).toBe(1);
    expect(result.liveDropped).toEqual([drops[1]]);
  });
});
