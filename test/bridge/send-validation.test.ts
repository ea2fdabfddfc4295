import { describe, expect, it } from 'vitest';
import { MAX_CONTENT_TYPE_BYTES, sendProblem } from '../../bridge/send-validation.js';
import { NackReason, type Send } from '../../schema/index.js';

const good: Send = { roomId: 'room-1', clientMsgId: 'msg-1', roomVersion: 1, body: new Uint8Array(10), contentType: 'text/plain' };
const limits = { maxBodyBytes: 100 };

describe('sendProblem', () => {
  it('accepts an ordinary send, an empty content type and one of exactly the limit', () => {
    expect(sendProblem(good, limits)).toBeUndefined();
    expect(sendProblem({ ...good, contentType: '' }, limits)).toBeUndefined();
    expect(sendProblem({ ...good, contentType: 'é'.repeat(MAX_CONTENT_TYPE_BYTES / 2) }, limits)).toBeUndefined();
  });

  it.each([
    [{ contentType: 'text/\u0000plain' }, 'content_type contains a NUL character'],
    [{ contentType: 'text/plain\uD800' }, 'content_type contains a lone surrogate (not valid Unicode)'],
    [{ contentType: '\uDC00' }, 'content_type contains a lone surrogate (not valid Unicode)'],
    [{ roomId: 'room\u0000' }, 'room_id contains a NUL character'],
    [{ clientMsgId: 'm\u0000' }, 'client_msg_id contains a NUL character'],
    [{ roomId: 'has space' }, 'room_id is not a valid id'],
    [{ contentType: 'x'.repeat(MAX_CONTENT_TYPE_BYTES + 1) }, `content_type exceeds ${MAX_CONTENT_TYPE_BYTES} bytes`],
    [{ contentType: 'é'.repeat(MAX_CONTENT_TYPE_BYTES / 2 + 1) }, `content_type exceeds ${MAX_CONTENT_TYPE_BYTES} bytes`],
  ])('refuses %o as MALFORMED: %s', (change, detail) => {
    expect(sendProblem({ ...good, ...change }, limits)).toEqual({ reason: NackReason.NACK_REASON_MALFORMED, detail });
  });

  it('refuses a body above the limit as TOO_LARGE', () => {
    expect(sendProblem({ ...good, body: new Uint8Array(101) }, limits)).toEqual({
      reason: NackReason.NACK_REASON_TOO_LARGE,
      detail: 'body exceeds 100 bytes',
    });
  });

  it('accepts a well-formed surrogate pair (an emoji) in content_type', () => {
    expect(sendProblem({ ...good, contentType: 'text/plain; note=😀' }, limits)).toBeUndefined();
  });
});
