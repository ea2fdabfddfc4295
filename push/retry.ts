/**
 * When to try a push again after a 'retry' outcome (429, 500, 503, timeout, connection lost):
 * exponential backoff with full jitter, `random(0, min(cap, base * 2^(attempt-1)))`
 * (docs/push.md#provider-answers-and-retries), so a provider outage does not come back as one
 * synchronised wave, and never sooner than the provider's Retry-After (FCM: senders that ignore it
 * risk being denylisted).
 */

export interface RetryPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 1_000, capMs: 300_000 };

/** Delay before the next attempt, after `attempt` attempts (1 for the first). `random` is in [0, 1). */
export function retryDelayMs(
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): number {
  const ceilingMs = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const jitteredMs = Math.floor(random() * ceilingMs);
  return Math.max(jitteredMs, retryAfterMs ?? 0);
}
