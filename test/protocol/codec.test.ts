import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  NackReason,
  RoomEventKind,
  decodeInboxItem,
  decodeMessage,
  decodeRoomEvent,
  decodeSend,
  encodeInboxItem,
  encodeMessage,
  encodeRoomEvent,
  encodeSend,
  salvageSendIds,
  sendFieldWithInvalidUtf8,
  type InboxItem,
  type Message,
  type RoomEvent,
  type Send,
} from '@mqtt-chat/protocol';

const MAX_SAFE = Number.MAX_SAFE_INTEGER; // 2^53 - 1
const uint32 = fc.integer({ min: 0, max: 0xffff_ffff });
const uint53 = fc.integer({ min: 0, max: MAX_SAFE });
const bytes = fc.uint8Array({ maxLength: 64 });
const text = fc.string({ unit: 'grapheme', maxLength: 20 });

const sendArb: fc.Arbitrary<Send> = fc.record({
  roomId: text,
  clientMsgId: text,
  roomVersion: uint32,
  body: bytes,
  contentType: text,
});

const messageArb: fc.Arbitrary<Message> = fc.record({
  roomId: text,
  seq: uint53,
  epoch: uint32,
  senderId: text,
  senderDevice: text,
  clientMsgId: text,
  sentAtMs: uint53,
  body: bytes,
  contentType: text,
});

const nackReason = fc.constantFrom(...(Object.values(NackReason).filter((v) => typeof v === 'number') as NackReason[]));
const roomEventKind = fc.constantFrom(...(Object.values(RoomEventKind).filter((v) => typeof v === 'number') as RoomEventKind[]));

const roomEventArb: fc.Arbitrary<RoomEvent> = fc.record(
  {
    roomId: text,
    kind: roomEventKind,
    memberVersion: uint32,
    userId: text,
    actorId: text,
    metaVersion: uint32,
    atMs: uint53,
    deviceId: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
  },
  { requiredKeys: ['roomId', 'kind', 'memberVersion', 'userId', 'actorId', 'metaVersion', 'atMs'] },
);

const inboxItemArb: fc.Arbitrary<InboxItem> = fc.oneof(
  fc.record({ ack: fc.record({ roomId: text, clientMsgId: text, seq: uint53, duplicate: fc.boolean() }) }),
  fc.record({
    nack: fc.record({ roomId: text, clientMsgId: text, reason: nackReason, roomVersion: uint32, detail: text, retryAfterMs: uint32 }),
  }),
  fc.record({ event: roomEventArb }),
  fc.record({ keysLow: fc.record({ deviceId: text, remaining: uint32, remainingKyber: uint32 }) }),
);

/** Decoded `bytes` fields may be Buffers; compare contents, not classes. */
const plainBody = <T extends { body: Uint8Array }>(value: T): T => ({ ...value, body: Uint8Array.from(value.body) });

describe('Send codec', () => {
  it('round-trips every Send (property)', () => {
    fc.assert(
      fc.property(sendArb, (send) => {
        expect(plainBody(decodeSend(encodeSend(send)))).toEqual(plainBody(send));
      }),
    );
  });

  it('decodes empty bytes as a Send with every field at its default', () => {
    expect(plainBody(decodeSend(new Uint8Array()))).toEqual({
      roomId: '',
      clientMsgId: '',
      roomVersion: 0,
      body: new Uint8Array(),
      contentType: '',
    });
  });
});

describe('Message codec', () => {
  it('round-trips every Message, with seq and sentAtMs up to 2^53-1 as plain numbers (property)', () => {
    fc.assert(
      fc.property(messageArb, (message) => {
        const decoded = decodeMessage(encodeMessage(message));
        expect(typeof decoded.seq).toBe('number');
        expect(typeof decoded.sentAtMs).toBe('number');
        expect(plainBody(decoded)).toEqual(plainBody(message));
      }),
    );
  });

  it('decodes seq and sentAtMs of 2^53-1 exactly', () => {
    const message: Message = {
      roomId: 'r1',
      seq: MAX_SAFE,
      epoch: 1,
      senderId: 'alice',
      senderDevice: 'phone',
      clientMsgId: 'c1',
      sentAtMs: MAX_SAFE,
      body: new Uint8Array([1, 2, 3]),
      contentType: 'text/plain',
    };
    const decoded = decodeMessage(encodeMessage(message));
    expect(decoded.seq).toBe(MAX_SAFE);
    expect(decoded.sentAtMs).toBe(MAX_SAFE);
  });

  // seq 0 and sentAtMs 0 are proto3 defaults, so they are absent on the wire and the decoder
  // falls back to the generated prototype default.
  it('decodes seq 0 and sentAtMs 0 as the number 0, not a Long', () => {
    const decoded = decodeMessage(
      encodeMessage({
        roomId: 'r1',
        seq: 0,
        epoch: 0,
        senderId: '',
        senderDevice: '',
        clientMsgId: '',
        sentAtMs: 0,
        body: new Uint8Array(),
        contentType: '',
      }),
    );
    expect(decoded.seq).toBe(0);
    expect(decoded.sentAtMs).toBe(0);
  });
});

describe('RoomEvent codec', () => {
  it('round-trips every RoomEvent, with atMs as a plain number (property)', () => {
    fc.assert(
      fc.property(roomEventArb, (event) => {
        const decoded = decodeRoomEvent(encodeRoomEvent(event));
        expect(typeof decoded.atMs).toBe('number');
        expect(decoded).toEqual(event);
      }),
    );
  });
});

describe('InboxItem codec', () => {
  it('round-trips ack, nack, event and keys-low items (property)', () => {
    fc.assert(
      fc.property(inboxItemArb, (item) => {
        const decoded = decodeInboxItem(encodeInboxItem(item));
        expect(decoded).toEqual(item);
        if ('ack' in decoded) expect(typeof decoded.ack.seq).toBe('number');
        if ('event' in decoded) expect(typeof decoded.event.atMs).toBe('number');
      }),
    );
  });

  it('keeps the variant of an item whose fields are all defaults', () => {
    const ack: InboxItem = { ack: { roomId: '', clientMsgId: '', seq: 0, duplicate: false } };
    const nack: InboxItem = {
      nack: { roomId: '', clientMsgId: '', reason: NackReason.NACK_REASON_UNSPECIFIED, roomVersion: 0, detail: '', retryAfterMs: 0 },
    };
    const keysLow: InboxItem = { keysLow: { deviceId: '', remaining: 0, remainingKyber: 0 } };
    expect(decodeInboxItem(encodeInboxItem(ack))).toEqual(ack);
    expect(decodeInboxItem(encodeInboxItem(nack))).toEqual(nack);
    expect(decodeInboxItem(encodeInboxItem(keysLow))).toEqual(keysLow);
  });

  it('throws on an item that carries no variant', () => {
    expect(() => decodeInboxItem(new Uint8Array())).toThrow(RangeError);
  });
});

describe('decoders', () => {
  const GARBAGE: readonly [string, number[]][] = [
    ['a truncated varint', [0xff, 0xff, 0xff]],
    ['a length running past the end', [0x0a, 0x10, 0x61]],
    ['field number 0', [0x07]],
    ['invalid UTF-8 in a string field', [0x0a, 0x02, 0xff, 0xfe]],
  ];

  it.each(GARBAGE)('throw on %s', (_label, garbage) => {
    const input = new Uint8Array(garbage);
    expect(() => decodeSend(input)).toThrow();
    expect(() => decodeMessage(input)).toThrow();
    expect(() => decodeRoomEvent(input)).toThrow();
    expect(() => decodeInboxItem(input)).toThrow();
  });

  it('throw on any Send encoding cut inside its last field (property)', () => {
    fc.assert(
      fc.property(
        sendArb.filter((s) => s.contentType.length > 0),
        (send) => {
          const encoded = encodeSend(send);
          // content_type is written last; dropping its final byte leaves its length prefix lying.
          expect(() => decodeSend(encoded.subarray(0, encoded.length - 1))).toThrow();
        },
      ),
    );
  });
});

describe('salvageSendIds', () => {
  const send: Send = {
    roomId: 'room-1',
    clientMsgId: 'msg-1',
    roomVersion: 7,
    body: new TextEncoder().encode('hello, world'),
    contentType: 'text/plain',
  };

  it('recovers the ids of a Send truncated after them', () => {
    const encoded = encodeSend(send);
    const cut = encoded.subarray(0, encoded.length - 5);
    expect(() => decodeSend(cut)).toThrow();
    expect(salvageSendIds(cut)).toEqual({ roomId: 'room-1', clientMsgId: 'msg-1' });
  });

  it('recovers the ids of any Send truncated anywhere after them (property)', () => {
    fc.assert(
      fc.property(
        sendArb.filter((s) => s.clientMsgId.length > 0),
        fc.nat(),
        (s, cutAt) => {
          const encoded = encodeSend(s);
          const idsOnly = encodeSend({ ...s, roomVersion: 0, body: new Uint8Array(), contentType: '' });
          const end = idsOnly.length + (cutAt % (encoded.length - idsOnly.length + 1));
          expect(salvageSendIds(encoded.subarray(0, end))).toEqual({ roomId: s.roomId, clientMsgId: s.clientMsgId });
        },
      ),
    );
  });

  it('recovers the ids when the damage is garbage appended after them', () => {
    const ids = encodeSend({ ...send, roomVersion: 0, body: new Uint8Array(), contentType: '' });
    const damaged = new Uint8Array([...ids, 0xff, 0xff, 0xff]);
    expect(salvageSendIds(damaged)).toEqual({ roomId: 'room-1', clientMsgId: 'msg-1' });
  });

  it('returns an empty room id when only the client message id survived', () => {
    const encoded = encodeSend({ ...send, roomId: '' });
    expect(salvageSendIds(encoded.subarray(0, encoded.length - 1))).toEqual({ roomId: '', clientMsgId: 'msg-1' });
  });

  it('returns undefined when client_msg_id is absent', () => {
    expect(salvageSendIds(encodeSend({ ...send, clientMsgId: '' }))).toBeUndefined();
  });

  it('returns undefined when the cut falls before client_msg_id is complete', () => {
    const encoded = encodeSend(send);
    const roomIdOnly = encodeSend({ ...send, clientMsgId: '', roomVersion: 0, body: new Uint8Array(), contentType: '' });
    expect(salvageSendIds(encoded.subarray(0, roomIdOnly.length + 3))).toBeUndefined();
  });

  it('returns undefined for empty bytes and for garbage', () => {
    expect(salvageSendIds(new Uint8Array())).toBeUndefined();
    expect(salvageSendIds(new Uint8Array([0xff, 0xff, 0xff]))).toBeUndefined();
  });
});

describe('sendFieldWithInvalidUtf8', () => {
  /** A Send with `raw` bytes as the value of text field `field`. */
  function withRawText(field: number, raw: number[]): Uint8Array {
    const ids = encodeSend({
      roomId: 'room-1',
      clientMsgId: 'msg-1',
      roomVersion: 1,
      body: new Uint8Array([1]),
      contentType: 'text/plain',
    });
    return new Uint8Array([...ids, (field << 3) | 2, raw.length, ...raw]);
  }

  it.each([
    [1, 'room_id'],
    [2, 'client_msg_id'],
    [5, 'content_type'],
  ])('names field %i (%s) when its bytes are not UTF-8, which decodeSend refuses', (field, name) => {
    const bad = withRawText(field, [0x61, 0xc3, 0x28]);
    expect(() => decodeSend(bad)).toThrow();
    expect(sendFieldWithInvalidUtf8(bad)).toBe(name);
  });

  it('blames no field in a valid Send, nor the body (bytes may be anything)', () => {
    expect(sendFieldWithInvalidUtf8(withRawText(5, [0xe2, 0x82, 0xac]))).toBeUndefined();
    expect(sendFieldWithInvalidUtf8(withRawText(4, [0xff, 0xfe]))).toBeUndefined();
  });
});
