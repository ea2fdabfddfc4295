/**
 * An FCM v1 answer → PushOutcome (firebase.google.com/docs/reference/fcm/rest/v1/ErrorCode).
 * Errors are google.rpc statuses `{error: {code, status, message, details}}`; the FcmError detail's
 * `errorCode` and a BadRequest field violation on `message.token` say whether the token is to blame.
 */
import type { PushOutcome } from '../provider.js';
import { parseRetryAfterMs } from '../retry-after.js';

interface RpcError {
  status?: string;
  message?: string;
  details?: { '@type'?: string; errorCode?: string; fieldViolations?: { field?: string; description?: string }[] }[];
}

const RETRY_STATUSES = new Set([429, 500, 503]);

export function fcmOutcome(status: number, body: unknown, retryAfter: string | undefined, nowMs: number): PushOutcome {
  if (status === 200) {
    const name = (body as { name?: unknown } | undefined)?.name;
    return { kind: 'delivered', providerId: typeof name === 'string' ? name : '' };
  }
  const error = (body as { error?: RpcError } | undefined)?.error ?? {};
  const errorCode = error.details?.find((d) => d['@type']?.endsWith('google.firebase.fcm.v1.FcmError'))?.errorCode;
  const reason = [errorCode ?? error.status ?? `HTTP ${status}`, error.message].filter(Boolean).join(': ');
  if (status === 404 && errorCode === 'UNREGISTERED') return { kind: 'token-dead', reason };
  if (status === 403 && errorCode === 'SENDER_ID_MISMATCH') return { kind: 'token-dead', reason };
  if (status === 400 && blamesToken(error)) return { kind: 'token-dead', reason };
  if (RETRY_STATUSES.has(status) || status >= 500) {
    const retryAfterMs = parseRetryAfterMs(retryAfter, nowMs);
    return retryAfterMs === undefined ? { kind: 'retry', reason } : { kind: 'retry', reason, retryAfterMs };
  }
  return { kind: 'rejected', reason };
}

/** FCM answers a malformed registration token with INVALID_ARGUMENT naming `message.token`. */
function blamesToken(error: RpcError): boolean {
  const violations = error.details?.flatMap((d) => d.fieldViolations ?? []) ?? [];
  return violations.some((v) => v.field === 'message.token') || /registration token/i.test(error.message ?? '');
}
