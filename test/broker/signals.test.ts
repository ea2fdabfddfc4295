import { describe, expect, it } from 'vitest';
import { receiptReadSeq, stampedReceipt, stampTyping } from '../../broker/signals.js';
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

  it('reads the seq of a receipt, stamps the reader, and refuses a receipt of seq 0 or garbage', () => {
    expect(receiptReadSeq(encodeReceipt({ readSeq: 7, userId: 'mallory' }))).toBe(7);
    expect(decodeReceipt(stampedReceipt(7, 'bob'))).toEqual({ readSeq: 7, userId: 'bob' });
    expect(receiptReadSeq(encodeReceipt({ readSeq: 0, userId: '' }))).toBeUndefined();
    expect(receiptReadSeq(new Uint8Array([0x08]))).toBeUndefined();
  });
});
