/** What a push carries (push/payload.ts): preview, E2EE tickle, retraction, collapse and dedup keys. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PUSH_EXPIRY_MS, messagePush, previewOf, retractPush } from '../../push/payload.js';

const text = (s: string) => new TextEncoder().encode(s);
const facts = {
  roomId: 'room1',
  userId: 'bob',
  deviceId: 'phone',
  token: 'ab'.repeat(32),
  seq: 7,
  encrypted: false,
  senderId: 'alice',
  senderName: 'Alice',
  contentType: 'text/plain',
  body: text('Lunch at noon?'),
  badge: 3,
  nowMs: 1_000,
};

describe('messagePush', () => {
  it('is an alert titled with the sender, previewing the body, with the badge, a per-room collapse key and the dedup key', () => {
    expect(messagePush(facts)).toEqual({
      token: facts.token,
      type: 'alert',
      alert: { title: 'Alice', body: 'Lunch at noon?' },
      badge: 3,
      collapseKey: 'room:room1',
      data: { type: 'message', roomId: 'room1', seq: '7', senderId: 'alice', dedupKey: 'room1:7:bob:phone' },
      expiresAtMs: 1_000 + PUSH_EXPIRY_MS,
    });
  });

  it('is a data-only background tickle without sender or body in an end-to-end-encrypted room', () => {
    const push = messagePush({ ...facts, encrypted: true, body: text('secret ciphertext') });
    expect(push).toEqual({
      token: facts.token,
      type: 'background',
      collapseKey: 'room:room1',
      data: { type: 'message', roomId: 'room1', seq: '7', dedupKey: 'room1:7:bob:phone', badge: '3' },
      expiresAtMs: 1_000 + PUSH_EXPIRY_MS,
    });
    expect(JSON.stringify(push)).not.toMatch(/secret|Alice|alice/);
  });

  it('shows a generic text for a body that is not text', () => {
    expect(messagePush({ ...facts, contentType: 'image/png', body: new Uint8Array([137, 80, 78, 71]) }).alert?.body).toBe('New message');
  });
});

describe('retractPush', () => {
  it('is a silent push telling the app to withdraw the room up to readSeq, with the corrected badge', () => {
    expect(retractPush({ roomId: 'room1', userId: 'bob', deviceId: 'phone', token: facts.token, readSeq: 9, badge: 0, nowMs: 5 })).toEqual({
      token: facts.token,
      type: 'background',
      badge: 0,
      collapseKey: 'room:room1',
      data: { type: 'retract', roomId: 'room1', readSeq: '9', badge: '0', dedupKey: 'room1:read9:bob:phone' },
      expiresAtMs: 5 + PUSH_EXPIRY_MS,
    });
  });
});

describe('previewOf', () => {
  it('keeps a short text whole and cuts a long one at 100 characters with an ellipsis', () => {
    expect(previewOf('', text('  hi  '))).toBe('hi');
    const long = 'a'.repeat(150);
    expect(previewOf('text/plain', text(long))).toBe(`${'a'.repeat(100)}…`);
  });

  it('never cuts an emoji or an accented letter in half', () => {
    const family = '👨‍👩‍👧‍👦';
    const preview = previewOf('text/plain', text(family.repeat(120)))!;
    expect(preview).toBe(`${family.repeat(100)}…`);
    expect(previewOf('text/plain', text('é'.normalize('NFD').repeat(101)))).toBe(`${'é'.normalize('NFD').repeat(100)}…`);
  });

  it('gives nothing for invalid UTF-8, a blank body or a non-text content type', () => {
    expect(previewOf('text/plain', new Uint8Array([0xff, 0xfe, 0x41]))).toBeUndefined();
    expect(previewOf('text/plain', text('   '))).toBeUndefined();
    expect(previewOf('application/octet-stream', text('hello'))).toBeUndefined();
  });

  it('is a prefix of the text, at most 100 characters plus the ellipsis, for any string (property)', () => {
    const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (s) => {
        const preview = previewOf('text/plain', text(s));
        if (s.trim() === '') {
          expect(preview).toBeUndefined();
        } else {
          const shown = preview!.endsWith('…') ? preview!.slice(0, -1) : preview!;
          expect(s.trim().startsWith(shown)).toBe(true);
          expect([...segmenter.segment(shown)].length).toBeLessThanOrEqual(100);
        }
      }),
    );
  });
});
