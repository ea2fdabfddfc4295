import { describe, expect, it } from 'vitest';
import { createTokenBucketLimiter } from '../../api/rate-limiter.js';

function limiter(options: { ratePerSecond: number; burst: number; maxKeys?: number }) {
  let nowMs = 0;
  return { limit: createTokenBucketLimiter({ ...options, now: () => nowMs }), advance: (ms: number) => void (nowMs += ms) };
}

describe('token bucket limiter', () => {
  it('allows a burst, then refuses with the wait until the next token', () => {
    const { limit, advance } = limiter({ ratePerSecond: 2, burst: 3 });
    expect([1, 2, 3].map(() => limit.take('alice').allowed)).toEqual([true, true, true]);
    expect(limit.take('alice')).toEqual({ allowed: false, retryAfterMs: 500 });
    advance(200);
    expect(limit.take('alice')).toEqual({ allowed: false, retryAfterMs: 300 });
    advance(300);
    expect(limit.take('alice')).toEqual({ allowed: true });
    expect(limit.take('bob')).toEqual({ allowed: true });
  });

  it('holds to the sustained rate over a long flood', () => {
    const { limit, advance } = limiter({ ratePerSecond: 1, burst: 10 });
    let allowed = 0;
    for (let i = 0; i < 6000; i += 1) {
      if (limit.take('mallory').allowed) allowed += 1;
      advance(10); // 100 attempts a second for a minute
    }
    expect(allowed).toBeGreaterThanOrEqual(69);
    expect(allowed).toBeLessThanOrEqual(70); // the burst plus one a second
  });

  it('forgets the least recently used keys beyond maxKeys, which then start full', () => {
    const { limit } = limiter({ ratePerSecond: 1, burst: 1, maxKeys: 2 });
    for (const key of ['a', 'b', 'a', 'c']) limit.take(key);
    expect(limit.take('a').allowed).toBe(false); // kept: used recently
    expect(limit.take('b').allowed).toBe(true); // forgotten when c arrived
  });
});
