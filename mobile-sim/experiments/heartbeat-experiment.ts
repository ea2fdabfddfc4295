/**
 * The heartbeat experiment (the item 6): fixed 15 s and 4 min keepalives against the
 * adaptive policy, on networks whose NATs drop idle mappings after 2, 5 and 9 minutes, each
 * simulated for hours of virtual time (heartbeat-simulation.ts). The adaptive policy is not told
 * the timeout. A fourth row, a fixed interval of the timeout minus Mars's 20 s margin, is what a
 * phone that knew the timeout would do: the benchmark the adaptive policy tries to reach.
 *
 * The verdict per network compares the adaptive policy with the best fixed interval *that never
 * misses there* (a fixed interval above the timeout uses less battery only by being deaf, so it
 * is not a fair winner): wake-ups per hour and battery per day, each within 15 %.
 */
import { createSeededRandom, exponentialMs } from '../../devtools/index.js';
import { createAdaptiveHeartbeat, createFixedHeartbeat, DEFAULT_HEARTBEAT_SAFETY_MARGIN_MS, type HeartbeatPolicy } from '@mqtt-chat/sdk';
import { simulateHeartbeat, type HeartbeatSimulationResult } from './heartbeat-simulation.js';

export const EXPERIMENT_NAT_TIMEOUTS_MS: readonly number[] = [2, 5, 9].map((minutes) => minutes * 60_000);
export const DEFAULT_EXPERIMENT_DURATION_MS = 12 * 3_600_000;
/** How close to the best never-missing fixed interval the adaptive policy should come. */
export const TARGET_RATIO = 1.15;
/** How many times fewer wake-ups than a 15 s keepalive it should cause. */
export const TARGET_FEWER_WAKEUPS_THAN_15S = 10;

export type PolicyId = 'fixed-15s' | 'fixed-4min' | 'adaptive' | 'knows-timeout';

export interface PolicySpec {
  id: PolicyId;
  label: string;
  /** A fixed interval competes for "best fixed"; the one that knows the timeout is only a benchmark. */
  isCandidateFixed: boolean;
  create(natTimeoutMs: number): HeartbeatPolicy;
}

export const EXPERIMENT_POLICIES: readonly PolicySpec[] = [
  { id: 'fixed-15s', label: 'fixed 15 s', isCandidateFixed: true, create: () => createFixedHeartbeat(15_000) },
  { id: 'fixed-4min', label: 'fixed 4 min', isCandidateFixed: true, create: () => createFixedHeartbeat(240_000) },
  { id: 'adaptive', label: 'adaptive', isCandidateFixed: false, create: () => createAdaptiveHeartbeat() },
  {
    id: 'knows-timeout',
    label: 'fixed T − 20 s (knows T)',
    isCandidateFixed: false,
    create: (natTimeoutMs) => createFixedHeartbeat(natTimeoutMs - DEFAULT_HEARTBEAT_SAFETY_MARGIN_MS),
  },
];

export interface ExperimentOptions {
  durationMs?: number;
  natTimeoutsMs?: readonly number[];
  /** Incoming chat messages per hour (Poisson, the same arrivals for every policy); 0 = an idle phone. */
  chatMessagesPerHour?: number;
  seed?: number;
}

export interface ExperimentCase {
  natTimeoutMs: number;
  policy: PolicySpec;
  result: HeartbeatSimulationResult;
}

export interface Comparison {
  wakeupRatio: number;
  batteryRatio: number;
}

export interface NetworkVerdict {
  natTimeoutMs: number;
  /** The fixed interval with the fewest wake-ups among those that never miss here; undefined if none. */
  bestFixed: PolicySpec | undefined;
  adaptiveVsBestFixed: Comparison | undefined;
  isWithinTarget: boolean;
  /** Wake-ups of the 15 s keepalive divided by the adaptive policy's. */
  fewerWakeupsThan15s: number;
  adaptiveVsKnowsTimeout: Comparison;
}

export interface ExperimentResult {
  durationMs: number;
  chatMessagesPerHour: number;
  cases: ExperimentCase[];
  verdicts: NetworkVerdict[];
}

export function runHeartbeatExperiment(options: ExperimentOptions = {}): ExperimentResult {
  const durationMs = options.durationMs ?? DEFAULT_EXPERIMENT_DURATION_MS;
  const chatMessagesPerHour = options.chatMessagesPerHour ?? 0;
  const chatMessageTimesMs = poissonArrivalsMs(chatMessagesPerHour, durationMs, options.seed ?? 1);
  const cases: ExperimentCase[] = [];
  for (const natTimeoutMs of options.natTimeoutsMs ?? EXPERIMENT_NAT_TIMEOUTS_MS) {
    for (const policy of EXPERIMENT_POLICIES) {
      const result = simulateHeartbeat({
        policy: policy.create(natTimeoutMs),
        natIdleTimeoutMs: natTimeoutMs,
        durationMs,
        chatMessageTimesMs,
      });
      cases.push({ natTimeoutMs, policy, result });
    }
  }
  const natTimeoutsMs = [...new Set(cases.map((c) => c.natTimeoutMs))];
  return { durationMs, chatMessagesPerHour, cases, verdicts: natTimeoutsMs.map((t) => judge(cases.filter((c) => c.natTimeoutMs === t))) };
}

function judge(network: ExperimentCase[]): NetworkVerdict {
  const find = (id: PolicyId): ExperimentCase => {
    const found = network.find((c) => c.policy.id === id);
    if (found === undefined) throw new Error(`experiment: no ${id} case`);
    return found;
  };
  const adaptive = find('adaptive').result;
  const neverMiss = network.filter((c) => c.policy.isCandidateFixed && c.result.missedWindows === 0);
  const best = neverMiss.sort((a, b) => a.result.wakeupsPerHour - b.result.wakeupsPerHour || a.result.energyJ - b.result.energyJ)[0];
  const adaptiveVsBestFixed = best === undefined ? undefined : compare(adaptive, best.result);
  const isWithinTarget =
    adaptiveVsBestFixed !== undefined &&
    adaptiveVsBestFixed.wakeupRatio <= TARGET_RATIO &&
    adaptiveVsBestFixed.batteryRatio <= TARGET_RATIO;
  return {
    natTimeoutMs: network[0]!.natTimeoutMs,
    bestFixed: best?.policy,
    adaptiveVsBestFixed,
    isWithinTarget,
    fewerWakeupsThan15s: find('fixed-15s').result.wakeupsPerHour / adaptive.wakeupsPerHour,
    adaptiveVsKnowsTimeout: compare(adaptive, find('knows-timeout').result),
  };
}

const compare = (a: HeartbeatSimulationResult, b: HeartbeatSimulationResult): Comparison => ({
  wakeupRatio: a.wakeupsPerHour / b.wakeupsPerHour,
  batteryRatio: a.batteryPercentPerDay / b.batteryPercentPerDay,
});

/** Arrival times of a Poisson process of `perHour` events per hour over `durationMs`, from a seeded generator. */
export function poissonArrivalsMs(perHour: number, durationMs: number, seed: number): number[] {
  if (perHour <= 0) return [];
  const random = createSeededRandom(seed);
  const arrivals: number[] = [];
  for (let atMs = exponentialMs(random, 3_600_000 / perHour); atMs < durationMs; atMs += exponentialMs(random, 3_600_000 / perHour)) {
    arrivals.push(atMs);
  }
  return arrivals;
}
