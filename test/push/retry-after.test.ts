import { describe, expect, it } from 'vitest';
import { parseRetryAfterMs } from '../../push/retry-after.js';

describe('parseRetryAfterMs', () => {
  const nowMs = Date.parse('2026-11-02T10:00:00Z');

  it('reads delay-seconds as milliseconds', () => {
    expect(parseRetryAfterMs('120', nowMs)).toBe(120_000);
    expect(parseRetryAfterMs(' 0 ', nowMs)).toBe(0);
  });

  it('reads an HTTP-date as the time left until then, by the injected clock', () => {
    expect(parseRetryAfterMs('Mon, 02 Nov 2026 10:00:30 GMT', nowMs)).toBe(30_000);
    expect(parseRetryAfterMs('Mon, 02 Nov 2026 09:59:00 GMT', nowMs)).toBe(0);
  });

  it('ignores an absent or unreadable header', () => {
    expect(parseRetryAfterMs(undefined, nowMs)).toBeUndefined();
    expect(parseRetryAfterMs('soon', nowMs)).toBeUndefined();
    expect(parseRetryAfterMs('-5', nowMs)).toBeUndefined();
  });
});
