import { describe, expect, it } from 'vitest';
import { stampReceipt, stampTyping } from '../../broker/signals.js';
import { TypingState, decodeReceipt, decodeTyping, encodeReceipt, encodeTyping } from '../../schema/index.js';

describe('signal stamping', () => {
  it('overwrites the user id of a typing event with the authenticated sender', () => {
    const forged = encodeTyping({ state: TypingState.TYPING_STATE_RENEW, userId: 'someone-else' });
    expect(decodeTyping(stampTyping(forged, 'alice')!)).toEqual({ state: TypingState.TYPING_STATE_RENEW, userId: 'alice' });
  });

  it('refuses typing that is garbage or carries no valid state', () => {
    expect(stampTyping(new Uint8Array([0xff, 0xff]), 'alice')).toBeUndefined();
    expect(stampTyping(encodeTyping({ state: TypingState.TYPING_STATE_UNSPECIFIED, userId: '' }), 'alice')).toBeUndefined();
    expect(stampTyping(encodeTyping({ state: 42 as TypingState, userId: '' }), 'alice')).toBeUndefined();
  });

  it('stamps the reader of a receipt and refuses a receipt of seq 0 or garbage', () => {
    const stamped = stampReceipt(encodeReceipt({ readSeq: 7, userId: 'mallory' }), 'bob');
    expect(stamped?.readSeq).toBe(7);
    expect(decodeReceipt(stamped!.payload)).toEqual({ readSeq: 7, userId: 'bob' });
    expect(stampReceipt(encodeReceipt({ readSeq: 0, userId: '' }), 'bob')).toBeUndefined();
    expect(stampReceipt(new Uint8Array([0x08]), 'bob')).toBeUndefined();
  });
});
