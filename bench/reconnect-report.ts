/**
 * The herd's rounds as figures: how long the platform was down, when every client was back,
 * the peak rate of (re)connects, refusals by CONNACK code, and whether any live session was
 * dropped; as a table, and as an SVG of connects per second after each restart.
 */
import type { Restart } from './reconnect-platform.js';
import type { RetryPolicy, RoundStats } from './reconnect-protocol.js';
import { addCounters, emptyCounters } from './reconnect-protocol.js';
import { percentile } from './stats.js';

export const SLOT_MS = 100;
/** Rates are over sliding one-second windows of 100 ms slots. */
const WINDOW_SLOTS = 10;

export interface RoundResult {
  signal: 'SIGTERM' | 'SIGKILL';
  policy: RetryPolicy;
  restart: Restart;
  stats: RoundStats;
  /** Accepted connects per second over time since the kill, at SLOT_MS steps (for the plot). */
  series: number[];
  peakConnectsPerSec: number;
  peakAttemptsPerSec: number;
  allBackAfterKillMs: number;
  allBackAfterReadyMs: number;
  /** Sessions the stopping platform accepted during its shutdown and then closed with it. */
  acceptedWhileStopping: number;
  /** Sessions on the restarted platform lost while the others came back: must be 0. */
  liveDropped: RoundStats['drops'];
}

function mergeSlots(tables: readonly Record<string, number>[]): Map<number, number> {
  const merged = new Map<number, number>();
  for (const table of tables) for (const [slot, n] of Object.entries(table)) merged.set(Number(slot), (merged.get(Number(slot)) ?? 0) + n);
  return merged;
}

function peakPerSecond(slots: Map<number, number>): number {
  let peak = 0;
  for (const start of slots.keys()) {
    let inWindow = 0;
    for (let s = start; s < start + WINDOW_SLOTS; s += 1) inWindow += slots.get(s) ?? 0;
    peak = Math.max(peak, inWindow);
  }
  return peak;
}

export function mergeStats(perWorker: readonly RoundStats[]): RoundStats {
  const total: RoundStats = { ...emptyCounters(), backPerSlot: {}, attemptsPerSlot: {}, lastBackAtMs: 0, probeAckMs: [], drops: [] };
  for (const s of perWorker) {
    addCounters(total, s);
    total.lastBackAtMs = Math.max(total.lastBackAtMs, s.lastBackAtMs);
    total.probeAckMs.push(...s.probeAckMs);
    total.drops.push(...s.drops);
  }
  total.backPerSlot = Object.fromEntries(mergeSlots(perWorker.map((s) => s.backPerSlot)));
  total.attemptsPerSlot = Object.fromEntries(mergeSlots(perWorker.map((s) => s.attemptsPerSlot)));
  return total;
}

export function roundResult(signal: RoundResult['signal'], policy: RetryPolicy, restart: Restart, stats: RoundStats): RoundResult {
  const back = mergeSlots([stats.backPerSlot]);
  const killSlot = Math.floor(restart.killedAtMs / SLOT_MS);
  const lastSlot = Math.floor(stats.lastBackAtMs / SLOT_MS);
  const series = Array.from({ length: Math.max(0, lastSlot - killSlot + 1) }, (_, i) => (back.get(killSlot + i) ?? 0) * (1000 / SLOT_MS));
  return {
    signal,
    policy,
    restart,
    stats,
    series,
    peakConnectsPerSec: peakPerSecond(back),
    peakAttemptsPerSec: peakPerSecond(mergeSlots([stats.attemptsPerSlot])),
    allBackAfterKillMs: stats.lastBackAtMs - restart.killedAtMs,
    allBackAfterReadyMs: stats.lastBackAtMs - restart.readyAtMs,
    acceptedWhileStopping: stats.drops.filter((d) => d.backAtMs < restart.exitedAtMs).length,
    liveDropped: stats.drops.filter((d) => d.backAtMs >= restart.exitedAtMs),
  };
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);
const POLICY_NAME: Record<RetryPolicy, string> = { jitter: 'SDK full jitter', immediate: 'immediate, no jitter' };

export function resultTable(results: readonly RoundResult[]): string {
  const header = [
    'stop',
    'retry',
    'down s',
    'all back s (stop / ready)',
    'peak connects/s',
    'peak attempts/s',
    'attempts',
    'CONNACK refusals',
    'no CONNACK',
    'back while stopping',
    'live dropped',
    'probes acked',
    'probe p50/p99 ms',
  ];
  const rows = results.map((r) => {
    const refusals =
      Object.entries(r.stats.refusals)
        .map(([code, n]) => `${n}×${code}`)
        .join(' ') || '0';
    const sorted = [...r.stats.probeAckMs].sort((a, b) => a - b);
    return [
      r.signal,
      POLICY_NAME[r.policy],
      seconds(r.restart.readyAtMs - r.restart.killedAtMs),
      `${seconds(r.allBackAfterKillMs)} / ${seconds(r.allBackAfterReadyMs)}`,
      String(r.peakConnectsPerSec),
      String(r.peakAttemptsPerSec),
      String(r.stats.attempts),
      refusals,
      String(r.stats.networkFailures),
      String(r.acceptedWhileStopping),
      String(r.liveDropped.length),
      `${r.stats.probesAcked}/${r.stats.probesSent}`,
      sorted.length === 0 ? '-' : `${percentile(sorted, 50).toFixed(0)}/${percentile(sorted, 99).toFixed(0)}`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

const WIDTH = 900;
const HEIGHT = 360;
const MARGIN = { left: 70, right: 20, top: 50, bottom: 50 };
const COLORS = ['#1f6fd1', '#d33', '#2a9d3a', '#a0f', '#e80', '#555'];

/** Connects per second after the kill, one line per round, smoothed over 500 ms. */
export function renderPlot(results: readonly RoundResult[], clients: number): string {
  const smooth = (series: number[]) =>
    series.map((_, i) => series.slice(Math.max(0, i - 4), i + 1).reduce((a, b) => a + b, 0) / Math.min(5, i + 1));
  const lines = results.map((r) => smooth(r.series));
  const maxSlots = Math.max(1, ...lines.map((l) => l.length));
  const maxRate = Math.max(1, ...lines.flat());
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (slot: number) => (MARGIN.left + (slot / maxSlots) * plotW).toFixed(1);
  const y = (rate: number) => (MARGIN.top + plotH - (rate / maxRate) * plotH).toFixed(1);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15">Reconnects per second after a platform restart (${clients} clients)</text>`,
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
    `<text x="${MARGIN.left - 8}" y="${MARGIN.top}" text-anchor="end" dominant-baseline="middle">${maxRate.toFixed(0)}/s</text>`,
    `<text x="${MARGIN.left - 8}" y="${MARGIN.top + plotH}" text-anchor="end" dominant-baseline="middle">0</text>`,
  ];
  const stepS = Math.max(1, Math.ceil((maxSlots * SLOT_MS) / 1000 / 15));
  for (let s = 0; s * 1000 <= maxSlots * SLOT_MS; s += stepS)
    parts.push(`<text x="${x((s * 1000) / SLOT_MS)}" y="${HEIGHT - MARGIN.bottom + 18}" text-anchor="middle">${s} s</text>`);
  parts.push(`<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 10}" text-anchor="middle">time since the platform was stopped</text>`);
  lines.forEach((line, i) => {
    const color = COLORS[i % COLORS.length]!;
    const r = results[i]!;
    parts.push(
      `<path d="${line.map((rate, slot) => `${slot === 0 ? 'M' : 'L'}${x(slot)},${y(rate)}`).join('')}" fill="none" stroke="${color}" stroke-width="1.5"/>`,
    );
    parts.push(
      `<text x="${MARGIN.left + plotW - 8}" y="${MARGIN.top + 16 + i * 16}" text-anchor="end" fill="${color}">${r.signal}, ${POLICY_NAME[r.policy]}</text>`,
    );
  });
  parts.push('</svg>', '');
  return parts.join('\n');
}
