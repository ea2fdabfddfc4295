import { describe, expect, it } from 'vitest';
import { seenBy, type ShownMessage } from '../../web/src/chat-store.js';

const message = (seq: number, senderId: string): ShownMessage => ({ seq, senderId, text: `m${seq}`, sentAtMs: 0, clientMsgId: `c${seq}` });
const messages = [message(1, 'alice'), message(2, 'bob'), message(3, 'alice'), message(4, 'carol')];

describe('seenBy', () => {
  it('shows each member once, at the newest message they read that is not their own, and never the viewer', () => {
    const marks = new Map([
      ['bob', 3],
      ['carol', 4], // carol's newest read is her own message: she is shown at the one before it
      ['alice', 4], // the viewer
      ['dave', 0], // read nothing
    ]);
    expect(seenBy(messages, marks, 'alice')).toEqual(new Map([[3, ['bob', 'carol']]]));
  });

  it('places a mark beyond the loaded messages at the newest loaded one', () => {
    expect(seenBy(messages, new Map([['bob', 99]]), 'alice')).toEqual(new Map([[4, ['bob']]]));
  });
});
