/** The retry policy (push/retry.ts): full-jitter exponential backoff, never sooner than Retry-After. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, retryDelayMs } from '../../push/retry.js';

describe('retryDelayMs', () => {
  it('stays within [0, min(cap, base * 2^(attempt-1))] without Retry-After (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
        const delay = retryDelayMs(attempt, undefined, () => r);
        const ceiling = Math.min(DEFAULT_RETRY_POLICY.capMs, DEFAULT_RETRY_POLICY.baseMs * 2 ** (attempt - 1));
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(ceiling);
      }),
    );
  });

  it('is never sooner than Retry-After (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.nat(86_400_000),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, retryAfterMs, r) => {
          expect(retryDelayMs(attempt, retryAfterMs, () => r)).toBeGreaterThanOrEqual(retryAfterMs);
        },
      ),
    );
  });

  it('spreads retries over the whole window (full jitter), doubling it per attempt', () => {
    expect(retryDelayMs(1, undefined, () => 0)).toBe(0);
    expect(retryDelayMs(1, undefined, () => 0.999)).toBe(999);
    expect(retryDelayMs(3, undefined, () => 0.5)).toBe(2_000);
    expect(retryDelayMs(30, undefined, () => 0.5)).toBe(150_000);
  });
});
