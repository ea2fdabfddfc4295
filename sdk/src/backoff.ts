/**
 * Reconnect and resend delays (docs/mobile-realities.md#reconnect-backoff): exponential backoff
 * with FULL jitter, `random(0, min(cap, base * 2^n))`, as pure functions of the attempt number and
 * a random source. Full jitter is what keeps a fleet that lost its broker at the same instant from
 * coming back at the same instant: the AWS simulator re-run in
 * docs/mobile-realities.md#reconnect-backoff shows it doing the least work of the jittered kinds,
 * and no-jitter exponential doing the most.
 */

/** AWS IoT's 1 s / 128 s and the default of docs/mobile-realities.md#reconnect-backoff (base 1 s, cap 120 s). */
export const DEFAULT_BACKOFF_BASE_MS = 1000;
export const DEFAULT_BACKOFF_CAP_MS = 120_000;

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  /**
   * `'full'` (the default) draws the delay uniformly from [0, ceiling). `'none'` waits the
   * ceiling itself: the lock-step baseline the reconnect-storm test compares against; an app
   * should never use it.
   */
  jitter?: 'full' | 'none';
}

/** `min(cap, base * 2^attempt)`: the largest delay attempt `attempt` (0-based) may wait. */
export function backoffCeilingMs(attempt: number, options: BackoffOptions): number {
  // 2^attempt overflows to Infinity for large attempts; min() keeps the cap.
  return Math.min(options.capMs, options.baseMs * 2 ** Math.max(0, attempt));
}

/** The delay before attempt `attempt` (0-based); `random` returns a number in [0, 1), like Math.random. */
export function backoffDelayMs(attempt: number, options: BackoffOptions, random: () => number): number {
  const ceilingMs = backoffCeilingMs(attempt, options);
  if (options.jitter === 'none') return ceilingMs;
  return Math.floor(random() * ceilingMs);
}

/** Throws a RangeError naming the bad field; called once when a client is created. */
export function checkBackoffOptions(name: string, options: BackoffOptions): BackoffOptions {
  const isValid =
    Number.isFinite(options.baseMs) && options.baseMs > 0 && Number.isFinite(options.capMs) && options.capMs >= options.baseMs;
  if (!isValid) throw new RangeError(`${name} needs 0 < baseMs <= capMs, got baseMs ${options.baseMs}, capMs ${options.capMs}`);
  return options;
}
