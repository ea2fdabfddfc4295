/**
 * Adaptive heartbeat (docs/mobile-realities.md#the-adaptive-heartbeat): learns how long this
 * network's NAT keeps an idle TCP mapping and pings just under it. Modelled on WeChat's Mars "smart
 * heartbeat" (docs/mobile-realities.md#the-adaptive-heartbeat), with a bisection where Mars steps
 * down by fixed amounts.
 *
 * What it knows: `goodMs`, the longest idle interval a ping survived, and `badMs`, the shortest
 * one after which a ping got no answer. The NAT timeout T lies in (goodMs, badMs].
 *
 * - Growing: with no failure seen, after `successesBeforeGrowing` successes in a row the interval
 *   grows by `growthStepMs`, up to `maxIntervalMs`, where it settles.
 * - A failed probe (an interval above `goodMs`) is believed at once: `badMs` becomes the known-bad
 *   ceiling and the policy backs off to `goodMs`. Believing it costs little (a slightly shorter
 *   interval until the next re-probe); doubting it would cost another missed-message window.
 * - Bisecting: after each run of successes at `goodMs`, one probe halfway to `badMs`. A success
 *   raises `goodMs`, a failure lowers `badMs`; never a probe at or above `badMs`.
 * - Settling: once `badMs − goodMs` < `resolutionMs` it pings at `goodMs − safetyMarginMs` and stops
 *   probing. Since T > goodMs, that keeps at least the margin under the real timeout, so a late
 *   timer (alarm batching, a busy CPU) does not push a ping over the edge (Mars: 20 s under the
 *   last good interval). Settled, the interval is in [T − margin − resolution, T − margin) when
 *   T ≤ max (see the property tests).
 * - Nothing learnt yet and the first interval fails (a NAT shorter than the initial guess):
 *   bisect between `minIntervalMs`, assumed good, and the failure right away.
 * - Settled, a single failure is taken for loss (a dropped PINGRESP, a radio hiccup) and changes
 *   nothing; `failuresBeforeRelearning` in a row mean the NAT got shorter: forget `goodMs` and
 *   bisect again below the failure (Mars: 2 strikes).
 * - Failures at `minIntervalMs` are ignored: there the link is bad, not the NAT short (Mars).
 * - Re-probing: after `reprobeAfterStableMs` of idle time proven while settled (the sum of the
 *   intervals of its successful pings, so no clock is needed), one ping goes out at `badMs`. If it
 *   survives, the NAT got longer and growth resumes; if not (the usual case) it cost one missed
 *   window, so a stable network sees at most one failure per `reprobeAfterStableMs` once settled.
 * - `networkChanged()` forgets everything and starts again from `initialIntervalMs`. Mars keeps
 *   what it learnt per network (Wi-Fi BSSID, carrier + RAT) and restores it on return; that needs
 *   a network id the `HeartbeatPolicy` interface does not carry.
 */
import type { HeartbeatPolicy } from './heartbeat-policy.js';

/** Below WeChat's 210 s `MinHeartInterval` so that networks with 2–3 min NAT timeouts work too. */
export const DEFAULT_HEARTBEAT_MIN_INTERVAL_MS = 60_000;
/** Mars `MaxHeartInterval` (10 min). The MQTT keepalive sent at CONNECT must be longer than this. */
export const DEFAULT_HEARTBEAT_MAX_INTERVAL_MS = 600_000;
/** The first guess: under the 4.5–5 min CGNATs of docs/mobile-realities.md#nat-idle-timeouts, like WhatsApp's 4 min 45 s. */
export const DEFAULT_HEARTBEAT_INITIAL_INTERVAL_MS = 240_000;
/** Mars `HeartStep`. */
export const DEFAULT_HEARTBEAT_GROWTH_STEP_MS = 60_000;
/** Mars grows after 5 (`BaseSuccCount`); 3 learns a 10-min network in about 2 h instead of 3.3 h. */
export const DEFAULT_HEARTBEAT_SUCCESSES_BEFORE_GROWING = 3;
/** Mars `SuccessStep` (20 s): what it keeps under the last good interval once settled. */
export const DEFAULT_HEARTBEAT_SAFETY_MARGIN_MS = 20_000;
/** Stop bisecting when less than this is left to gain. */
export const DEFAULT_HEARTBEAT_RESOLUTION_MS = 10_000;
/** Mars `MaxHeartFailCount`. */
export const DEFAULT_HEARTBEAT_FAILURES_BEFORE_RELEARNING = 2;
/** Mars re-probes a stable interval after a day. */
export const DEFAULT_HEARTBEAT_REPROBE_AFTER_STABLE_MS = 24 * 3_600_000;

export interface AdaptiveHeartbeatOptions {
  minIntervalMs?: number;
  maxIntervalMs?: number;
  initialIntervalMs?: number;
  growthStepMs?: number;
  successesBeforeGrowing?: number;
  safetyMarginMs?: number;
  resolutionMs?: number;
  failuresBeforeRelearning?: number;
  /** `Infinity` turns re-probing off. */
  reprobeAfterStableMs?: number;
}

/** What the policy has learnt, for tests, logs and plots. */
export interface AdaptiveHeartbeatState {
  intervalMs: number;
  /** Longest interval a ping survived on this network; undefined before the first success. */
  goodMs: number | undefined;
  /** Shortest interval a ping failed after; undefined while none has. */
  badMs: number | undefined;
  /** Done learning: pinging a margin under the last good interval, or at the maximum (until a re-probe, a relearn or a network change). */
  settled: boolean;
}

export interface AdaptiveHeartbeat extends HeartbeatPolicy {
  state(): AdaptiveHeartbeatState;
}

export function createAdaptiveHeartbeat(options: AdaptiveHeartbeatOptions = {}): AdaptiveHeartbeat {
  const o = resolveOptions(options);
  let intervalMs = o.initialIntervalMs;
  let goodMs: number | undefined;
  let badMs: number | undefined;
  let settled = false;
  let successRun = 0;
  let failureRun = 0;
  /** Idle time proven by successes since the policy last settled. */
  let stableProvenMs = 0;

  function moveTo(nextMs: number): void {
    intervalMs = nextMs;
    successRun = 0;
    stableProvenMs = 0;
  }

  function settle(): void {
    settled = true;
    // At the maximum with no failure seen, no NAT is near: no margin to keep.
    const marginMs = badMs === undefined ? 0 : o.safetyMarginMs;
    moveTo(Math.max(o.minIntervalMs, (goodMs ?? o.minIntervalMs) - marginMs));
  }

  /** The probe after a run of successes at the current (proven) interval; undefined when nothing is left to learn. */
  function nextProbeMs(): number | undefined {
    if (badMs === undefined) return intervalMs < o.maxIntervalMs ? Math.min(o.maxIntervalMs, intervalMs + o.growthStepMs) : undefined;
    const gapMs = badMs - intervalMs;
    // Rounding down keeps every probe strictly under badMs.
    const probeMs = intervalMs + Math.floor(gapMs / 2);
    return gapMs < o.resolutionMs || probeMs <= intervalMs ? undefined : probeMs;
  }

  /** After a believed failure at `failedMs`: back to the last good interval (settled if close enough), or bisect up from the floor. */
  function backOff(failedMs: number): void {
    if (goodMs !== undefined) {
      if (failedMs - goodMs < o.resolutionMs) settle();
      else moveTo(goodMs);
      return;
    }
    const gapMs = failedMs - o.minIntervalMs;
    moveTo(gapMs < o.resolutionMs ? o.minIntervalMs : o.minIntervalMs + Math.floor(gapMs / 2));
  }

  return {
    intervalMs: () => intervalMs,

    pingSucceeded() {
      failureRun = 0;
      goodMs = Math.max(goodMs ?? 0, intervalMs);
      // Only a re-probe pings at badMs: surviving it means the NAT keeps mappings longer now.
      if (badMs !== undefined && intervalMs >= badMs) badMs = undefined;
      successRun++;
      if (settled) {
        stableProvenMs += intervalMs;
        if (badMs === undefined || stableProvenMs < o.reprobeAfterStableMs) return;
        settled = false;
        moveTo(badMs);
        return;
      }
      if (successRun < o.successesBeforeGrowing) return;
      const probeMs = nextProbeMs();
      if (probeMs === undefined) settle();
      else moveTo(probeMs);
    },

    pingFailed() {
      successRun = 0;
      stableProvenMs = 0;
      if (intervalMs <= o.minIntervalMs) return;
      const isProbe = goodMs === undefined || intervalMs > goodMs;
      if (!isProbe) {
        failureRun++;
        if (failureRun < o.failuresBeforeRelearning) return;
        goodMs = undefined;
      }
      failureRun = 0;
      settled = false;
      badMs = Math.min(badMs ?? Number.POSITIVE_INFINITY, intervalMs);
      backOff(badMs);
    },

    networkChanged() {
      goodMs = undefined;
      badMs = undefined;
      settled = false;
      failureRun = 0;
      moveTo(o.initialIntervalMs);
    },

    state: () => ({ intervalMs, goodMs, badMs, settled }),
  };
}

function resolveOptions(options: AdaptiveHeartbeatOptions): Required<AdaptiveHeartbeatOptions> {
  const o: Required<AdaptiveHeartbeatOptions> = {
    minIntervalMs: positive('minIntervalMs', options.minIntervalMs ?? DEFAULT_HEARTBEAT_MIN_INTERVAL_MS),
    maxIntervalMs: positive('maxIntervalMs', options.maxIntervalMs ?? DEFAULT_HEARTBEAT_MAX_INTERVAL_MS),
    initialIntervalMs: positive('initialIntervalMs', options.initialIntervalMs ?? DEFAULT_HEARTBEAT_INITIAL_INTERVAL_MS),
    growthStepMs: positive('growthStepMs', options.growthStepMs ?? DEFAULT_HEARTBEAT_GROWTH_STEP_MS),
    successesBeforeGrowing: count('successesBeforeGrowing', options.successesBeforeGrowing ?? DEFAULT_HEARTBEAT_SUCCESSES_BEFORE_GROWING),
    safetyMarginMs: options.safetyMarginMs ?? DEFAULT_HEARTBEAT_SAFETY_MARGIN_MS,
    resolutionMs: positive('resolutionMs', options.resolutionMs ?? DEFAULT_HEARTBEAT_RESOLUTION_MS),
    failuresBeforeRelearning: count(
      'failuresBeforeRelearning',
      options.failuresBeforeRelearning ?? DEFAULT_HEARTBEAT_FAILURES_BEFORE_RELEARNING,
    ),
    reprobeAfterStableMs: options.reprobeAfterStableMs ?? DEFAULT_HEARTBEAT_REPROBE_AFTER_STABLE_MS,
  };
  if (!Number.isFinite(o.maxIntervalMs)) throw new RangeError(`maxIntervalMs must be finite, got ${o.maxIntervalMs}`);
  if (o.minIntervalMs > o.maxIntervalMs)
    throw new RangeError(`minIntervalMs (${o.minIntervalMs}) exceeds maxIntervalMs (${o.maxIntervalMs})`);
  const isInitialInRange = o.initialIntervalMs >= o.minIntervalMs && o.initialIntervalMs <= o.maxIntervalMs;
  if (!isInitialInRange) {
    throw new RangeError(`initialIntervalMs (${o.initialIntervalMs}) must lie in [${o.minIntervalMs}, ${o.maxIntervalMs}]`);
  }
  if (!(o.safetyMarginMs >= 0) || !Number.isFinite(o.safetyMarginMs)) {
    throw new RangeError(`safetyMarginMs must be a finite number ≥ 0, got ${o.safetyMarginMs}`);
  }
  if (!(o.reprobeAfterStableMs > 0)) throw new RangeError(`reprobeAfterStableMs must be positive, got ${o.reprobeAfterStableMs}`);
  return o;
}

function positive(name: string, valueMs: number): number {
  if (!Number.isFinite(valueMs) || valueMs <= 0) throw new RangeError(`${name} must be a positive number of milliseconds, got ${valueMs}`);
  return valueMs;
}

function count(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be an integer ≥ 1, got ${value}`);
  return value;
}
