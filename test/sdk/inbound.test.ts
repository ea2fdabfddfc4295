import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { routeInbound, type InboundHandlers } from '../../sdk/src/inbound.js';
import {
  encodeInboxItem,
  encodeMessage,
  encodePresence,
  encodeReceipt,
  encodeTyping,
  inboxTopic,
  presenceTopic,
  receiptTopic,
  roomTopic,
  TypingState,
  typingTopic,
  type Message,
} from '@mqtt-chat/protocol';

function recorder() {
  const seen: string[] = [];
  const handlers: InboundHandlers = {
    message: (m) => void seen.push(`message ${m.roomId}#${m.seq}`),
    typing: (roomId, t) => void seen.push(`typing ${roomId} ${t.userId}`),
    receipt: (roomId, r) => void seen.push(`receipt ${roomId} ${r.userId}@${r.readSeq}`),
    roomEvent: (e) => void seen.push(`event ${e.roomId}`),
    ack: (a) => void seen.push(`ack ${a.clientMsgId}`),
    nack: (n) => void seen.push(`nack ${n.clientMsgId}`),
    presence: (userId, p) => void seen.push(`presence ${userId} ${p.online ? 'online' : 'offline'}@${p.lastSeenMs}`),
    keysLow: (k) => void seen.push(`keys low ${k.deviceId} ${k.remaining}/${k.remainingKyber}`),
    malformed: (topic) => void seen.push(`malformed ${topic}`),
  };
  return { seen, handlers };
}

const message: Message = {
  roomId: 'r1',
  seq: 3,
  epoch: 9,
  senderId: 'u1',
  senderDevice: 'phone',
  clientMsgId: 'c',
  sentAtMs: 1,
  body: new Uint8Array([1]),
  contentType: '',
};

describe('inbound routing', () => {
  it('hands decoded messages, signals and inbox items to their handlers', () => {
    const { seen, handlers } = recorder();
    routeInbound(roomTopic('r1'), encodeMessage(message), handlers);
    routeInbound(typingTopic('r1'), encodeTyping({ state: TypingState.TYPING_STATE_START, userId: 'u2' }), handlers);
    routeInbound(receiptTopic('r1'), encodeReceipt({ readSeq: 3, userId: 'u2' }), handlers);
    routeInbound(inboxTopic('me'), encodeInboxItem({ ack: { roomId: 'r1', clientMsgId: 'c', seq: 3, duplicate: false } }), handlers);
    routeInbound(presenceTopic('u2'), encodePresence({ online: false, lastSeenMs: 1700 }), handlers);
    expect(seen).toEqual(['message r1#3', 'typing r1 u2', 'receipt r1 u2@3', 'ack c', 'presence u2 offline@1700']);
  });

  it.each([
    ['a message published on another room', roomTopic('r2'), encodeMessage(message)],
    ['an empty message (every field default: no seq)', roomTopic('r1'), new Uint8Array()],
    ['bytes that are no protobuf', roomTopic('r1'), new Uint8Array([0xff, 0xff, 0xff, 0xff])],
    ['typing without the broker stamp', typingTopic('r1'), encodeTyping({ state: TypingState.TYPING_STATE_START, userId: '' })],
    ['an inbox item with nothing in it', inboxTopic('me'), new Uint8Array()],
    [
      'a keys-low notice naming no device',
      inboxTopic('me'),
      encodeInboxItem({ keysLow: { deviceId: '', remaining: 3, remainingKyber: 0 } }),
    ],
    ['a topic outside the grammar', 'chat/nope', encodeMessage(message)],
  ])('drops and reports %s', (_what, topic, payload) => {
    const { seen, handlers } = recorder();
    routeInbound(topic, payload, handlers);
    expect(seen).toEqual([`malformed ${topic}`]);
  });

  it('hands a keys-low notice to its handler, and ignores it (not malformed) when the app has none', () => {
    const notice = encodeInboxItem({ keysLow: { deviceId: 'phone', remaining: 9, remainingKyber: 0 } });
    const { seen, handlers } = recorder();
    routeInbound(inboxTopic('me'), notice, handlers);
    const withoutKeysLow: InboundHandlers = { ...handlers };
    delete withoutKeysLow.keysLow;
    routeInbound(inboxTopic('me'), notice, withoutKeysLow);
    expect(seen).toEqual(['keys low phone 9/0']);
  });

  it('never throws, whatever arrives on any of its topics (property)', () => {
    const topics = [
      roomTopic('r1'),
      typingTopic('r1'),
      receiptTopic('r1'),
      inboxTopic('me'),
      presenceTopic('u2'),
      'chat/room/r1/event',
      'x/y',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...topics), fc.uint8Array({ maxLength: 64 }), (topic, payload) => {
        const { seen, handlers } = recorder();
        expect(() => routeInbound(topic, payload, handlers)).not.toThrow();
        expect(seen).toHaveLength(1);
      }),
    );
  });
});
