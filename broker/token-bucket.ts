/**
 * Per-key token buckets: `burst` tokens, refilled at `ratePerSecond`. Pure apart from the
 * injected clock, so a flood and its recovery are tested without waiting.
 */
export interface TokenBuckets {
  /** Takes one token for `key`; false when the key is over its rate (the caller drops the event). */
  tryTake(key: string): boolean;
  forget(key: string): void;
}

export function createTokenBuckets(options: { ratePerSecond: number; burst: number; now: () => number }): TokenBuckets {
  const buckets = new Map<string, { tokens: number; atMs: number }>();
  return {
    tryTake(key) {
      const nowMs = options.now();
      const bucket = buckets.get(key) ?? { tokens: options.burst, atMs: nowMs };
      bucket.tokens = Math.min(options.burst, bucket.tokens + ((nowMs - bucket.atMs) / 1000) * options.ratePerSecond);
      bucket.atMs = nowMs;
      buckets.set(key, bucket);
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
      return true;
    },
    forget(key) {
      buckets.delete(key);
    },
  };
}
