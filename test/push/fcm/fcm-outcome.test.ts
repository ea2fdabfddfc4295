import { describe, expect, it } from 'vitest';
import { fcmOutcome } from '../../../push/fcm/fcm-outcome.js';

const NOW_MS = 1_800_000_000_000;
const FCM_ERROR = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';
const rpc = (code: number, status: string, message: string, details: unknown[] = []) => ({ error: { code, status, message, details } });

describe('fcmOutcome', () => {
  it('is delivered on 200, naming the message', () => {
    expect(fcmOutcome(200, { name: 'projects/p/messages/1' }, undefined, NOW_MS)).toEqual({
      kind: 'delivered',
      providerId: 'projects/p/messages/1',
    });
  });

  it('declares the token dead on 404 UNREGISTERED, 403 SENDER_ID_MISMATCH and 400 naming message.token', () => {
    const unregistered = rpc(404, 'NOT_FOUND', 'Requested entity was not found.', [{ '@type': FCM_ERROR, errorCode: 'UNREGISTERED' }]);
    const mismatch = rpc(403, 'PERMISSION_DENIED', 'SenderId mismatch', [{ '@type': FCM_ERROR, errorCode: 'SENDER_ID_MISMATCH' }]);
    const badToken = rpc(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.', [
      {
        '@type': 'type.googleapis.com/google.rpc.BadRequest',
        fieldViolations: [{ field: 'message.token', description: 'Invalid registration token' }],
      },
    ]);
    const badTokenByMessage = rpc(400, 'INVALID_ARGUMENT', 'The registration token is not a valid FCM registration token');

    for (const [status, body] of [
      [404, unregistered],
      [403, mismatch],
      [400, badToken],
      [400, badTokenByMessage],
    ] as const) {
      expect(fcmOutcome(status, body, undefined, NOW_MS).kind).toBe('token-dead');
    }
    expect(fcmOutcome(404, unregistered, undefined, NOW_MS)).toEqual({
      kind: 'token-dead',
      reason: 'UNREGISTERED: Requested entity was not found.',
    });
  });

  it('rejects other 400s, 401 and other 403s for good', () => {
    const badData = rpc(400, 'INVALID_ARGUMENT', "Invalid value at 'message.data[0].value'", [
      { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'message.data[0].value', description: '...' }] },
    ]);
    expect(fcmOutcome(400, badData, undefined, NOW_MS)).toEqual({
      kind: 'rejected',
      reason: "INVALID_ARGUMENT: Invalid value at 'message.data[0].value'",
    });
    expect(fcmOutcome(401, rpc(401, 'UNAUTHENTICATED', 'no'), undefined, NOW_MS).kind).toBe('rejected');
    expect(fcmOutcome(403, rpc(403, 'PERMISSION_DENIED', 'no'), undefined, NOW_MS).kind).toBe('rejected');
  });

  it('asks to retry on 429, 500 and 503, honouring Retry-After', () => {
    const quota = rpc(429, 'RESOURCE_EXHAUSTED', 'quota', [{ '@type': FCM_ERROR, errorCode: 'QUOTA_EXCEEDED' }]);
    expect(fcmOutcome(429, quota, '60', NOW_MS)).toEqual({ kind: 'retry', reason: 'QUOTA_EXCEEDED: quota', retryAfterMs: 60_000 });
    expect(fcmOutcome(500, rpc(500, 'INTERNAL', 'oops'), undefined, NOW_MS)).toEqual({ kind: 'retry', reason: 'INTERNAL: oops' });
    expect(fcmOutcome(503, undefined, undefined, NOW_MS)).toEqual({ kind: 'retry', reason: 'HTTP 503' });
  });
});
