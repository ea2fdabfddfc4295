/**
 * An APNs answer → PushOutcome (Apple, "Handling notification responses from APNs"). Pure: the
 * status, the `reason` of the JSON body and two headers decide everything.
 */
import type { PushOutcome } from '../provider.js';
import { parseRetryAfterMs } from '../retry-after.js';

export interface ApnsResponse {
  status: number;
  /** `reason` of the JSON error body; absent on 200. */
  reason: string | undefined;
  apnsId: string | undefined;
  retryAfter: string | undefined;
}

/** 400 reasons that condemn the token rather than the request. */
const DEAD_TOKEN_REASONS = new Set(['BadDeviceToken', 'DeviceTokenNotForTopic']);
const RETRY_STATUSES = new Set([429, 500, 503]);

export function apnsOutcome(response: ApnsResponse, sentApnsId: string, nowMs: number): PushOutcome {
  const { status } = response;
  const reason = response.reason ?? `HTTP ${status}`;
  if (status === 200) return { kind: 'delivered', providerId: response.apnsId ?? sentApnsId };
  // 410: "The device token is no longer active for the topic" (Unregistered, or ExpiredToken).
  if (status === 410) return { kind: 'token-dead', reason };
  if (status === 400 && DEAD_TOKEN_REASONS.has(reason)) return { kind: 'token-dead', reason };
  if (RETRY_STATUSES.has(status) || status >= 500) {
    const retryAfterMs = parseRetryAfterMs(response.retryAfter, nowMs);
    return retryAfterMs === undefined ? { kind: 'retry', reason } : { kind: 'retry', reason, retryAfterMs };
  }
  // Everything else (other 400, 403, 404, 405, 413) is about the request or our credentials: resending it won't help.
  return { kind: 'rejected', reason };
}

/** Parses the `{reason}` error body; a body that isn't the documented JSON leaves the reason unknown. */
export function apnsReason(body: Buffer): string | undefined {
  if (body.length === 0) return undefined;
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    const reason = typeof parsed === 'object' && parsed !== null ? (parsed as { reason?: unknown }).reason : undefined;
    return typeof reason === 'string' ? reason : undefined;
  } catch {
    return undefined;
  }
}
