/**
 * Messages between `npm run bench:reconnect`'s main process (which owns the platform process
 * and restarts it) and its herd workers (child processes holding the simulated phones: one file
 * descriptor each, so thousands of them are split over processes under the 20k fd limit).
 */

export interface HerdClientSpec {
  userId: string;
  deviceId: string;
  token: string;
  roomId: string;
  roomVersion: number;
}

/**
 * How a client waits before reconnecting:
 * - jitter: the SDK's own loop, exponential backoff with full jitter (base 1 s, cap 120 s);
 * - immediate: no jitter and no backoff, every retry at once: the lock-step herd the SDK avoids.
 */
export type RetryPolicy = 'jitter' | 'immediate';

/** Counts of one round, kept per worker and summed by the main process. */
export interface RoundCounters {
  /** Sessions re-established (CONNACK 0 and the SDK's subscriptions granted). */
  back: number;
  /** CONNECT attempts made, the successful ones included. */
  attempts: number;
  /** Refused attempts by CONNACK return code. */
  refusals: Record<string, number>;
  /** Attempts that failed without a CONNACK: refused TCP connections, resets, timeouts. */
  networkFailures: number;
  /** Clients the SDK gave up on (a refusal it treats as final). */
  gaveUp: number;
  /** Sessions that were back in this round and then lost before the round ended (classified by the main process). */
  liveDropped: number;
  probesSent: number;
  probesAcked: number;
  /** Probe sends from live sessions that got no Ack in time while their session stayed up. */
  probesFailed: number;
}

export interface RoundStats extends RoundCounters {
  /** Accepted connects per 100 ms slot (`Math.floor(epochMs / 100)`). */
  backPerSlot: Record<string, number>;
  attemptsPerSlot: Record<string, number>;
  /** Epoch ms at which each client came back (for the time until every client is back). */
  lastBackAtMs: number;
  probeAckMs: number[];
  /**
   * Each session lost after it was back: when it came back, when and why it was lost, and
   * whether the client had abandoned an attempt earlier in the round (no CONNACK in time).
   */
  drops: { backAtMs: number; lostAtMs: number; reason: string; afterConnectTimeout: boolean }[];
}

export type ToWorker =
  | { type: 'setup'; mqttUrl: string; clients: HerdClientSpec[]; stableAfterMs: number; connectTimeoutMs: number; seed: number }
  | { type: 'arm'; round: number; policy: RetryPolicy }
  | { type: 'collect' }
  | { type: 'close' };

export type FromWorker =
  /** `round`: the last round armed (0 before the first), so a report from before an arm is told apart. */
  | { type: 'progress'; round: number; connected: number; counters: RoundCounters }
  | { type: 'stats'; stats: RoundStats }
  | { type: 'closed' }
  | { type: 'failed'; message: string };

export const emptyCounters = (): RoundCounters => ({
  back: 0,
  attempts: 0,
  refusals: {},
  networkFailures: 0,
  gaveUp: 0,
  liveDropped: 0,
  probesSent: 0,
  probesAcked: 0,
  probesFailed: 0,
});

/** Adds `from`'s counters into `into` (refusals by CONNACK code). */
export function addCounters(into: RoundCounters, from: RoundCounters): void {
  for (const key of ['back', 'attempts', 'networkFailures', 'gaveUp', 'liveDropped', 'probesSent', 'probesAcked', 'probesFailed'] as const)
    into[key] += from[key];
  for (const [code, n] of Object.entries(from.refusals)) into.refusals[code] = (into.refusals[code] ?? 0) + n;
}
