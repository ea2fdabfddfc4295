/**
 * Per-caller request limits for the REST calls that cost someone else something (a prekey bundle
 * fetch consumes the target's one-time keys). Behind a two-line interface, so a shared limiter
 * (Redis, or the general REST limits) can replace the in-memory one without touching the routes.
 */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface RateLimiter {
  /** Takes one unit for `key`; when none is left, says how long until one is. */
  take(key: string): RateDecision;
}

export interface TokenBucketOptions {
  ratePerSecond: number;
  burst: number;
  now: () => number;
  /** Buckets kept at most; the least recently used go first (they come back full). */
  maxKeys?: number;
}

const DEFAULT_MAX_KEYS = 100_000;

/** A token bucket per key, in this process: `burst` at once, refilled at `ratePerSecond`. */
export function createTokenBucketLimiter(options: TokenBucketOptions): RateLimiter {
  const { ratePerSecond, burst, now } = options;
  const maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
  const buckets = new Map<string, { tokens: number; atMs: number }>();
  return {
    take(key) {
      const nowMs = now();
      const bucket = buckets.get(key) ?? { tokens: burst, atMs: nowMs };
      bucket.tokens = Math.min(burst, bucket.tokens + (Math.max(0, nowMs - bucket.atMs) / 1000) * ratePerSecond);
      bucket.atMs = nowMs;
      buckets.delete(key); // re-inserted last: the map's order is least recently used first
      buckets.set(key, bucket);
      if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value!);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { allowed: true };
      }
      return { allowed: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) / ratePerSecond) * 1000) };
    },
  };
}
