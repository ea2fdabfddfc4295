import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTokenBuckets } from '../../broker/token-bucket.js';

describe('token buckets', () => {
  it('allows a burst, then refills at the rate', () => {
    let nowMs = 0;
    const buckets = createTokenBuckets({ ratePerSecond: 2, burst: 3, now: () => nowMs });
    expect([1, 2, 3, 4].map(() => buckets.tryTake('a'))).toEqual([true, true, true, false]);
    nowMs = 499;
    expect(buckets.tryTake('a')).toBe(false);
    nowMs = 500;
    expect(buckets.tryTake('a')).toBe(true);
    expect(buckets.tryTake('b')).toBe(true); // keys are independent
  });

  it('never lets more than burst + rate × elapsed through, whatever the arrival times', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2_000 }), { maxLength: 200 }), (gapsMs) => {
        let nowMs = 0;
        const buckets = createTokenBuckets({ ratePerSecond: 5, burst: 4, now: () => nowMs });
        let allowed = 0;
        for (const gap of gapsMs) {
          nowMs += gap;
          if (buckets.tryTake('k')) allowed += 1;
        }
        return allowed <= 4 + Math.floor((nowMs / 1000) * 5);
      }),
    );
  });

  it('starts a forgotten key afresh', () => {
    const buckets = createTokenBuckets({ ratePerSecond: 1, burst: 1, now: () => 0 });
    expect(buckets.tryTake('a')).toBe(true);
    expect(buckets.tryTake('a')).toBe(false);
    buckets.forget('a');
    expect(buckets.tryTake('a')).toBe(true);
  });
});
