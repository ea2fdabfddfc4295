/**
 * `Retry-After` (RFC 9110 §10.2.3) is either delay-seconds or an HTTP-date; both providers may
 * send it with 429 and 503, and the worker needs it as a delay in milliseconds.
 */
export function parseRetryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Every HTTP-date form starts with a day name; Date.parse alone would also read '-5' as a year.
  const atMs = /^[A-Za-z]{3}/.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  return Number.isNaN(atMs) ? undefined : Math.max(0, atMs - nowMs);
}
