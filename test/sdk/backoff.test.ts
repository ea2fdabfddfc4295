import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffCeilingMs, backoffDelayMs, checkBackoffOptions } from '../../sdk/src/backoff.js';

const options = fc.record({ baseMs: fc.integer({ min: 1, max: 10_000 }), capMs: fc.integer({ min: 1, max: 300_000 }) }).map((o) => ({
  baseMs: Math.min(o.baseMs, o.capMs),
  capMs: o.capMs,
}));
const attempt = fc.integer({ min: 0, max: 2000 });
const unitRandom = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe('backoff', () => {
  it('with full jitter, always waits within [0, min(cap, base * 2^n)] (property)', () => {
    fc.assert(
      fc.property(options, attempt, unitRandom, (o, n, r) => {
        const delayMs = backoffDelayMs(n, o, () => r);
        expect(delayMs).toBeGreaterThanOrEqual(0);
        expect(delayMs).toBeLessThanOrEqual(Math.min(o.capMs, o.baseMs * 2 ** n));
        expect(Number.isInteger(delayMs)).toBe(true);
      }),
    );
  });

  it('doubles its ceiling per attempt up to the cap, and never overflows past it', () => {
    const o = { baseMs: 100, capMs: 1000 };
    expect([0, 1, 2, 3, 4, 5, 1e6].map((n) => backoffCeilingMs(n, o))).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('spreads delays over the whole range: the random source maps linearly onto [0, ceiling)', () => {
    const o = { baseMs: 1000, capMs: 8000 };
    expect([0, 0.25, 0.5, 0.999].map((r) => backoffDelayMs(3, o, () => r))).toEqual([0, 2000, 4000, 7992]);
  });

  it('without jitter waits exactly the ceiling, whatever the random source says (the storm baseline)', () => {
    fc.assert(
      fc.property(options, attempt, unitRandom, (o, n, r) => {
        expect(backoffDelayMs(n, { ...o, jitter: 'none' }, () => r)).toBe(backoffCeilingMs(n, o));
      }),
    );
  });

  it('refuses a base above the cap or a non-positive base, naming the option', () => {
    expect(() => checkBackoffOptions('backoff', { baseMs: 0, capMs: 10 })).toThrow(/backoff/);
    expect(() => checkBackoffOptions('backoff', { baseMs: 20, capMs: 10 })).toThrow(RangeError);
    expect(checkBackoffOptions('backoff', { baseMs: 10, capMs: 10 })).toEqual({ baseMs: 10, capMs: 10 });
  });
});
