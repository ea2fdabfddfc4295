/**
 * The two ways the load thread drives the devices:
 * - saturation: closed loop, every device keeps a fixed window of sends in flight, so the
 *   platform runs as fast as it can and the ack rate is its capacity;
 * - paced: open loop, sends go out on a fixed schedule whatever the acks do, and latency is
 *   measured from the scheduled time, so a stalled platform cannot hide its stall by slowing
 *   the senders down (no coordinated omission).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoadClient } from './load-clients.js';
import type { FromLoad, PhaseResult, PhaseSpec } from './load-protocol.js';
import { PhaseTracker } from './load-tracker.js';
import { percentile } from './stats.js';

/** How long a phase waits, after it stops sending, for the Acks and deliveries still due. */
const DRAIN_LIMIT_MS = 15_000;
const PROGRESS_INTERVAL_MS = 1_000;
/** The paced generator stops adding sends while this many seconds of its load are unanswered. */
const BACKLOG_LIMIT_SECONDS = 1;
/** Node timers fire at best every millisecond; each tick issues every send that has come due. */
const PACING_TICK_MS = 1;

export interface PhaseContext {
  clients: readonly LoadClient[];
  setTracker(tracker: PhaseTracker | undefined): void;
  post(message: FromLoad): void;
}

export async function runPhase(ctx: PhaseContext, spec: PhaseSpec): Promise<PhaseResult> {
  const loopBefore = performance.eventLoopUtilization();
  const startMs = performance.now();
  const window = { startMs: startMs + spec.warmupMs, endMs: startMs + spec.warmupMs + spec.measureMs };
  let isSending = true;
  const refill = (ownerIndex: number) => {
    if (isSending && spec.kind === 'saturation') ctx.clients[ownerIndex]!.send(performance.now());
  };
  const tracker = new PhaseTracker(window, refill);
  ctx.setTracker(tracker);
  const stopProgress = startProgress(ctx, tracker, startMs);
  const sending =
    spec.kind === 'saturation'
      ? await saturate(ctx.clients, spec.windowPerClient, window.endMs)
      : await pace(ctx.clients, tracker, spec.rateMsgsPerSec, startMs, window.endMs);
  isSending = false;
  const loopUtilization = performance.eventLoopUtilization(loopBefore).utilization;
  await tracker.whenIdle(DRAIN_LIMIT_MS);
  stopProgress();
  ctx.setTracker(undefined); // what still arrives belongs to no phase
  const generatorLagP99Ms = sending.lagsMs.length === 0 ? 0 : percentile(Float64Array.from(sending.lagsMs).sort(), 99);
  const publishErrors = ctx.clients.reduce((sum, c) => sum + c.publishErrors, 0);
  return tracker.result({ generatorLagP99Ms, loadLoopUtilization: loopUtilization, publishErrors, notOffered: sending.notOffered });
}

interface SendingOutcome {
  /** How late each paced send went out (none at saturation). */
  lagsMs: number[];
  notOffered: number;
}

/** Fills every device's window once; the tracker's settle callback keeps it full until `endMs`. */
async function saturate(clients: readonly LoadClient[], windowPerClient: number, endMs: number): Promise<SendingOutcome> {
  for (const client of clients) {
    for (let i = 0; i < windowPerClient; i++) client.send(performance.now());
  }
  await sleep(Math.max(0, endMs - performance.now()));
  return { lagsMs: [], notOffered: 0 };
}

/** Issues send k at `startMs + k / rate`, round-robin over the devices, unless the backlog is over its limit. */
function pace(
  clients: readonly LoadClient[],
  tracker: PhaseTracker,
  rateMsgsPerSec: number,
  startMs: number,
  endMs: number,
): Promise<SendingOutcome> {
  const intervalMs = 1000 / rateMsgsPerSec;
  const backlogLimit = Math.max(1, rateMsgsPerSec * BACKLOG_LIMIT_SECONDS);
  const lagsMs: number[] = [];
  let scheduled = 0;
  let notOffered = 0;
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      const nowMs = performance.now();
      const due = Math.floor((Math.min(nowMs, endMs) - startMs) / intervalMs);
      for (; scheduled < due; scheduled++) {
        if (tracker.unansweredSends >= backlogLimit) {
          notOffered++;
          continue;
        }
        const scheduledMs = startMs + scheduled * intervalMs;
        clients[scheduled % clients.length]!.send(scheduledMs);
        lagsMs.push(nowMs - scheduledMs);
      }
      if (nowMs >= endMs) {
        clearInterval(timer);
        resolve({ lagsMs, notOffered });
      }
    }, PACING_TICK_MS);
  });
}

function startProgress(ctx: PhaseContext, tracker: PhaseTracker, startMs: number): () => void {
  let ackedBefore = 0;
  const timer = setInterval(() => {
    const ackedTotal = tracker.ackedTotal;
    ctx.post({ type: 'progress', elapsedMs: performance.now() - startMs, ackedTotal, ackedLastSecond: ackedTotal - ackedBefore });
    ackedBefore = ackedTotal;
  }, PROGRESS_INTERVAL_MS);
  return () => clearInterval(timer);
}
