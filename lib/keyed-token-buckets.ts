/**
 * Token buckets per key (a device, a user, a connection): `burst` tokens, refilled at
 * `ratePerSecond`, and when a key is out of tokens, how long until its next one (the retry-after
 * a client is told). Every rate limit of the platform but the REST request budget
 * (@fastify/rate-limit, a window per minute) is one of these.
 * Memory stays bounded by the keys active recently: a bucket that has refilled to full is the
 * same as no bucket, so such buckets are swept out, at most once per full-refill interval and
 * in time linear in the keys held (amortised constant per take). Pure apart from the injected clock.
 */
export interface KeyedTokenBucketsOptions {
  ratePerSecond: number;
  burst: number;
}

export type TakeResult = { allowed: true } | { allowed: false; retryAfterMs: number };

/** The narrowest view, for code that only asks (a REST route): a shared limiter could stand in. */
export interface RateLimiter {
  /** Takes one token for `key`, or says how long until one is there (whole milliseconds, at least 1). */
  take(key: string): TakeResult;
}

export interface KeyedTokenBuckets extends RateLimiter {
  /** Drops `key`'s bucket: it starts full next time (a connection that went away). */
  forget(key: string): void;
  /** Buckets held now (for tests and metrics). */
  size(): number;
}

/**
 * Tokens are fractions refilled by floating-point arithmetic, so waiting exactly the promised
 * retry-after can leave a bucket at 0.9999999999 instead of 1. Counting that as a whole token
 * keeps the promise; it lets through at most one part in a billion more than the rate.
 */
const WHOLE_TOKEN = 1 - 1e-9;

interface Bucket {
  tokens: number;
  atMs: number;
}

export function createKeyedTokenBuckets(deps: { now: () => number }, options: KeyedTokenBucketsOptions): KeyedTokenBuckets {
  if (!(options.ratePerSecond > 0) || !(options.burst >= 1)) throw new RangeError('token buckets need ratePerSecond > 0 and burst >= 1');
  const buckets = new Map<string, Bucket>();
  const fullRefillMs = (options.burst / options.ratePerSecond) * 1000;
  let lastSweepMs = deps.now();

  const refilled = (bucket: Bucket, nowMs: number): number =>
    Math.min(options.burst, bucket.tokens + (Math.max(nowMs - bucket.atMs, 0) / 1000) * options.ratePerSecond);

  function sweep(nowMs: number): void {
    if (nowMs - lastSweepMs < fullRefillMs) return;
    lastSweepMs = nowMs;
    for (const [key, bucket] of buckets) if (refilled(bucket, nowMs) >= options.burst) buckets.delete(key);
  }

  return {
    take(key) {
      const nowMs = deps.now();
      sweep(nowMs);
      const bucket = buckets.get(key) ?? { tokens: options.burst, atMs: nowMs };
      bucket.tokens = refilled(bucket, nowMs);
      bucket.atMs = nowMs;
      buckets.set(key, bucket);
      if (bucket.tokens >= WHOLE_TOKEN) {
        bucket.tokens = Math.max(bucket.tokens - 1, 0);
        return { allowed: true };
      }
      return { allowed: false, retryAfterMs: Math.max(1, Math.ceil(((1 - bucket.tokens) / options.ratePerSecond) * 1000)) };
    },
    forget(key) {
      buckets.delete(key);
    },
    size: () => buckets.size,
  };
}
