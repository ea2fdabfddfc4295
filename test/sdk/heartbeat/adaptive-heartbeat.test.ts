import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createAdaptiveHeartbeat,
  DEFAULT_HEARTBEAT_FAILURES_BEFORE_RELEARNING,
  DEFAULT_HEARTBEAT_GROWTH_STEP_MS,
  DEFAULT_HEARTBEAT_INITIAL_INTERVAL_MS,
  DEFAULT_HEARTBEAT_MAX_INTERVAL_MS,
  DEFAULT_HEARTBEAT_MIN_INTERVAL_MS,
  DEFAULT_HEARTBEAT_REPROBE_AFTER_STABLE_MS,
  DEFAULT_HEARTBEAT_RESOLUTION_MS,
  DEFAULT_HEARTBEAT_SAFETY_MARGIN_MS,
  DEFAULT_HEARTBEAT_SUCCESSES_BEFORE_GROWING,
  type AdaptiveHeartbeat,
  type AdaptiveHeartbeatOptions,
} from '../../../sdk/src/heartbeat/adaptive-heartbeat.js';

const S = 1000;
const MIN = 60 * S;

/** One ping against a NAT that drops mappings idle for `natTimeoutMs` or more; returns whether it survived. */
function ping(policy: AdaptiveHeartbeat, natTimeoutMs: number): boolean {
  const survived = policy.intervalMs() < natTimeoutMs;
  if (survived) policy.pingSucceeded();
  else policy.pingFailed();
  return survived;
}

/** The intervals of `count` pings in seconds, a failed one suffixed with `x`. */
function pings(policy: AdaptiveHeartbeat, natTimeoutMs: number, count: number): string[] {
  return Array.from({ length: count }, () => {
    const seconds = policy.intervalMs() / S;
    return ping(policy, natTimeoutMs) ? `${seconds}` : `${seconds}x`;
  });
}

const times = (n: number, label: string): string[] => Array<string>(n).fill(label);

describe('adaptive heartbeat', () => {
  it('takes its defaults from WeChat Mars (docs/mobile-realities.md#the-adaptive-heartbeat), with a lower floor and a 4 min start', () => {
    expect({
      min: DEFAULT_HEARTBEAT_MIN_INTERVAL_MS,
      max: DEFAULT_HEARTBEAT_MAX_INTERVAL_MS,
      initial: DEFAULT_HEARTBEAT_INITIAL_INTERVAL_MS,
      step: DEFAULT_HEARTBEAT_GROWTH_STEP_MS,
      successes: DEFAULT_HEARTBEAT_SUCCESSES_BEFORE_GROWING,
      margin: DEFAULT_HEARTBEAT_SAFETY_MARGIN_MS,
      resolution: DEFAULT_HEARTBEAT_RESOLUTION_MS,
      failures: DEFAULT_HEARTBEAT_FAILURES_BEFORE_RELEARNING,
      reprobe: DEFAULT_HEARTBEAT_REPROBE_AFTER_STABLE_MS,
    }).toEqual({
      min: 60 * S,
      max: 10 * MIN,
      initial: 4 * MIN,
      step: 60 * S,
      successes: 3,
      margin: 20 * S,
      resolution: 10 * S,
      failures: 2,
      reprobe: 24 * 60 * MIN,
    });
  });

  it('grows by a step after 3 successes, backs off after the failed 5 min probe, bisects under it and settles 20 s under the last good', () => {
    const policy = createAdaptiveHeartbeat();
    expect(pings(policy, 5 * MIN, 22)).toEqual([
      ...times(3, '240'),
      '300x', // T = 300 s: the known-bad ceiling is 300
      ...times(3, '240'), // back to the last good interval
      ...times(3, '270'), // halfway to the ceiling
      ...times(3, '285'),
      ...times(3, '292.5'), // 7.5 s left to learn < 10 s resolution: settled
      ...times(6, '272.5'), // the last good interval minus the 20 s margin
    ]);
    expect(policy.state()).toEqual({ intervalMs: 272.5 * S, goodMs: 292.5 * S, badMs: 300 * S, settled: true });
  });

  it('bisects from the floor when the very first ping fails (2 min NAT)', () => {
    const policy = createAdaptiveHeartbeat();
    expect(pings(policy, 2 * MIN, 20)).toEqual([
      '240x', // nothing learnt: bisect between the 60 s floor and 240 s at once
      '150x',
      ...times(3, '105'),
      '127.5x',
      ...times(3, '105'),
      ...times(3, '116.25'),
      '121.875x', // 5.6 s left to learn: settle at once, no more pings at the edge
      ...times(7, '96.25'),
    ]);
    expect(policy.state().settled).toBe(true);
  });

  it('grows step by step to the maximum and stays there when the NAT keeps mappings longer', () => {
    const policy = createAdaptiveHeartbeat();
    const seen = pings(policy, 60 * MIN, 24);
    expect(seen).toEqual([240, 300, 360, 420, 480, 540, 600, 600].flatMap((s) => times(3, `${s}`)));
    expect(policy.state()).toEqual({ intervalMs: 10 * MIN, goodMs: 10 * MIN, badMs: undefined, settled: true });
  });

  it('takes one failure at a settled interval for a lost packet, and relearns below it after two in a row', () => {
    const policy = createAdaptiveHeartbeat();
    pings(policy, 5 * MIN, 20);
    expect(policy.intervalMs()).toBe(272.5 * S);

    policy.pingFailed(); // a lost PINGRESP
    expect(policy.intervalMs()).toBe(272.5 * S);
    policy.pingSucceeded();
    policy.pingFailed(); // not in a row with the first one
    expect(policy.intervalMs()).toBe(272.5 * S);

    // The NAT now drops after 3 min: 272.5 s fails again, the second failure in a row.
    expect(pings(policy, 3 * MIN, 1)).toEqual(['272.5x']);
    expect(policy.state()).toMatchObject({ goodMs: undefined, badMs: 272.5 * S, settled: false });
    expect(policy.intervalMs()).toBe(166.25 * S); // halfway between 60 s and 272.5 s
    pings(policy, 3 * MIN, 30);
    expect(policy.state().settled).toBe(true);
    expect(policy.intervalMs()).toBeLessThan(3 * MIN - 20 * S);
    expect(policy.intervalMs()).toBeGreaterThanOrEqual(3 * MIN - 30 * S);
  });

  it('ignores failures at the minimum interval: there the link is bad, not the NAT short', () => {
    const policy = createAdaptiveHeartbeat({ initialIntervalMs: MIN });
    policy.pingFailed();
    policy.pingFailed();
    policy.pingFailed();
    expect(policy.state()).toEqual({ intervalMs: MIN, goodMs: undefined, badMs: undefined, settled: false });
  });

  it('re-probes the failed interval once after 30 min of proven stability, and settles back when it fails again', () => {
    const policy = createAdaptiveHeartbeat({ reprobeAfterStableMs: 30 * MIN });
    pings(policy, 5 * MIN, 16); // settled at 272.5 s
    // 272.5 s × 7 = 1907.5 s ≥ 30 min: the 8th ping re-probes 300 s.
    expect(pings(policy, 5 * MIN, 9)).toEqual([...times(7, '272.5'), '300x', '272.5']);
    expect(policy.state()).toEqual({ intervalMs: 272.5 * S, goodMs: 292.5 * S, badMs: 300 * S, settled: true });
  });

  it('does not re-probe before a day of proven stability by default', () => {
    const policy = createAdaptiveHeartbeat();
    pings(policy, 5 * MIN, 16);
    const pingsInADay = Math.ceil(DEFAULT_HEARTBEAT_REPROBE_AFTER_STABLE_MS / (272.5 * S)); // 318
    expect(pings(policy, 5 * MIN, pingsInADay - 1).every((s) => s === '272.5')).toBe(true);
    expect(pings(policy, 5 * MIN, 2)).toEqual(['272.5', '300x']);
  });

  it('resumes growing when the re-probe survives: the NAT got longer', () => {
    const policy = createAdaptiveHeartbeat({ reprobeAfterStableMs: 30 * MIN });
    pings(policy, 5 * MIN, 16);
    expect(pings(policy, 30 * MIN, 11)).toEqual([...times(7, '272.5'), ...times(3, '300'), '360']);
    expect(policy.state()).toEqual({ intervalMs: 360 * S, goodMs: 360 * S, badMs: undefined, settled: false });
  });

  it('forgets what it learnt on a network change and starts again from the initial interval', () => {
    const policy = createAdaptiveHeartbeat();
    pings(policy, 2 * MIN, 20);
    policy.networkChanged();
    expect(policy.state()).toEqual({ intervalMs: 4 * MIN, goodMs: undefined, badMs: undefined, settled: false });
    expect(pings(policy, 30 * MIN, 4)).toEqual(['240', '240', '240', '300']);
  });

  it('rejects options that make no sense, naming them', () => {
    expect(() => createAdaptiveHeartbeat({ minIntervalMs: 0 })).toThrow(/minIntervalMs/);
    expect(() => createAdaptiveHeartbeat({ maxIntervalMs: Number.POSITIVE_INFINITY })).toThrow(/maxIntervalMs/);
    expect(() => createAdaptiveHeartbeat({ minIntervalMs: 5 * MIN, maxIntervalMs: 4 * MIN })).toThrow(/minIntervalMs/);
    expect(() => createAdaptiveHeartbeat({ initialIntervalMs: 11 * MIN })).toThrow(/initialIntervalMs/);
    expect(() => createAdaptiveHeartbeat({ successesBeforeGrowing: 1.5 })).toThrow(/successesBeforeGrowing/);
    expect(() => createAdaptiveHeartbeat({ failuresBeforeRelearning: 0 })).toThrow(/failuresBeforeRelearning/);
    expect(() => createAdaptiveHeartbeat({ safetyMarginMs: -1 })).toThrow(/safetyMarginMs/);
    expect(() => createAdaptiveHeartbeat({ resolutionMs: Number.NaN })).toThrow(/resolutionMs/);
    expect(() => createAdaptiveHeartbeat({ reprobeAfterStableMs: 0 })).toThrow(/reprobeAfterStableMs/);
  });
});

/** Any consistent options, in scaled-down milliseconds as tests and experiments use them. */
const optionsArb = fc
  .record({
    minIntervalMs: fc.integer({ min: 100, max: 60_000 }),
    spanMs: fc.integer({ min: 0, max: 600_000 }),
    initialFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    growthStepFraction: fc.double({ min: 0.01, max: 2, noNaN: true }),
    successesBeforeGrowing: fc.integer({ min: 1, max: 6 }),
    safetyMarginMs: fc.integer({ min: 0, max: 30_000 }),
    resolutionMs: fc.integer({ min: 1, max: 30_000 }),
    failuresBeforeRelearning: fc.integer({ min: 1, max: 4 }),
  })
  .map(({ spanMs, initialFraction, growthStepFraction, ...o }) => ({
    ...o,
    // At least 1 % of the span per step, so that growing to the maximum takes at most ~100 runs.
    growthStepMs: Math.max(1, Math.round(spanMs * growthStepFraction)),
    maxIntervalMs: o.minIntervalMs + spanMs,
    initialIntervalMs: o.minIntervalMs + Math.round(spanMs * initialFraction),
    reprobeAfterStableMs: Number.POSITIVE_INFINITY,
  }));

/** A NAT timeout the policy can work with: above the minimum interval, anywhere up to past the maximum. */
const natTimeoutFor = (o: Required<AdaptiveHeartbeatOptions>) => fc.integer({ min: o.minIntervalMs + 1, max: 2 * o.maxIntervalMs + 1 });

const scenarioArb = optionsArb.chain((options) => fc.tuple(fc.constant(options), natTimeoutFor(options)));

/** log2 of how many resolutions fit between min and max: the depth of the bisection. */
const bisectionDepth = (o: Required<AdaptiveHeartbeatOptions>): number =>
  Math.ceil(Math.log2(Math.max(1, (o.maxIntervalMs - o.minIntervalMs) / o.resolutionMs)));

/** Pings until the policy has settled and its last ping survived; returns the failures it took. */
function settle(policy: AdaptiveHeartbeat, natTimeoutMs: number, limit = 20_000): number {
  let failures = 0;
  let survived = false;
  for (let n = 0; !(survived && policy.state().settled); n++) {
    if (n === limit) throw new Error(`not settled after ${limit} pings: ${JSON.stringify(policy.state())}`);
    survived = ping(policy, natTimeoutMs);
    if (!survived) failures++;
  }
  return failures;
}

/** Pings until the policy has settled under the NAT timeout; returns the failures it took. */
function converge(policy: AdaptiveHeartbeat, natTimeoutMs: number, limit = 20_000): number {
  let failures = 0;
  for (let n = 0; !(policy.state().settled && policy.intervalMs() < natTimeoutMs); n++) {
    if (n === limit) throw new Error(`not converged after ${limit} pings: ${JSON.stringify(policy.state())}`);
    if (!ping(policy, natTimeoutMs)) failures++;
  }
  return failures;
}

describe('adaptive heartbeat laws, for any options and any NAT timeout above the minimum', () => {
  it('never goes below the minimum or above the maximum, whatever happens', () => {
    const eventArb = fc.array(fc.constantFrom('success', 'failure', 'networkChanged'), { maxLength: 300 });
    fc.assert(
      fc.property(optionsArb, eventArb, (options, events) => {
        const policy = createAdaptiveHeartbeat({ ...options, reprobeAfterStableMs: 5 * options.maxIntervalMs });
        for (const event of events) {
          if (event === 'success') policy.pingSucceeded();
          else if (event === 'failure') policy.pingFailed();
          else policy.networkChanged();
          expect(policy.intervalMs()).toBeGreaterThanOrEqual(options.minIntervalMs);
          expect(policy.intervalMs()).toBeLessThanOrEqual(options.maxIntervalMs);
        }
      }),
    );
  });

  it('settles after at most 2 + log2((max − min) / resolution) failures', () => {
    fc.assert(
      fc.property(scenarioArb, ([options, natTimeoutMs]) => {
        const failures = settle(createAdaptiveHeartbeat(options), natTimeoutMs);
        expect(failures).toBeLessThanOrEqual(2 + bisectionDepth(options));
      }),
    );
  });

  it('settles at least the safety margin under the NAT timeout, and within margin + resolution of it (or at the maximum)', () => {
    fc.assert(
      fc.property(scenarioArb, ([options, natTimeoutMs]) => {
        const policy = createAdaptiveHeartbeat(options);
        settle(policy, natTimeoutMs);
        const settledMs = policy.intervalMs();
        if (natTimeoutMs > options.maxIntervalMs) {
          expect(settledMs).toBe(options.maxIntervalMs);
          return;
        }
        if (settledMs > options.minIntervalMs) expect(settledMs).toBeLessThan(natTimeoutMs - options.safetyMarginMs);
        expect(settledMs).toBeGreaterThanOrEqual(
          Math.max(options.minIntervalMs, natTimeoutMs - options.safetyMarginMs - options.resolutionMs),
        );
      }),
    );
  });

  it('stays put once settled: at most one failed re-probe per re-probe period, the interval unchanged', () => {
    fc.assert(
      fc.property(scenarioArb, fc.integer({ min: 2, max: 20 }), ([options, natTimeoutMs], periodsInIntervals) => {
        const reprobeAfterStableMs = periodsInIntervals * options.maxIntervalMs;
        const policy = createAdaptiveHeartbeat({ ...options, reprobeAfterStableMs });
        settle(policy, natTimeoutMs);
        const settledMs = policy.intervalMs();
        let idleMs = 0;
        let failures = 0;
        const horizonMs = 10 * reprobeAfterStableMs;
        while (idleMs < horizonMs || !policy.state().settled) {
          idleMs += policy.intervalMs();
          if (!ping(policy, natTimeoutMs)) failures++;
        }
        // Each re-probe needs reprobeAfterStableMs of idle time proven at the settled interval.
        expect(failures).toBeLessThanOrEqual(Math.floor(horizonMs / reprobeAfterStableMs));
        expect(policy.intervalMs()).toBe(settledMs);
      }),
    );
  });

  it('learns again, within a bounded number of failures, when the NAT timeout shrinks without a network change', () => {
    fc.assert(
      fc.property(
        optionsArb.chain((o) => fc.tuple(fc.constant(o), natTimeoutFor(o), natTimeoutFor(o))),
        ([options, firstTimeoutMs, secondTimeoutMs]) => {
          const policy = createAdaptiveHeartbeat(options);
          settle(policy, firstTimeoutMs);
          const failures = converge(policy, secondTimeoutMs);
          // failuresBeforeRelearning strikes before it believes the change, then a fresh bisection from the floor.
          expect(failures).toBeLessThanOrEqual(options.failuresBeforeRelearning + 1 + bisectionDepth(options));
        },
      ),
    );
  });
});
