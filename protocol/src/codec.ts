/**
 * Typed encode/decode for the protobuf messages of chat.proto. Callers see plain objects
 * with every field present; the generated classes stay behind this door.
 */
import protobuf from 'protobufjs/minimal.js';
import { chat } from '../generated/chat.js';

// 64-bit fields (seq, timestamps) decode as plain numbers: seqs and epoch-ms stay far below
// 2^53, and a Long object leaking into the rest of the code would be a trap. The generated
// prototypes took their zero defaults (Longs) when they were imported, before this line, so
// every 64-bit field read below still goes through Number().
protobuf.util.Long = undefined as unknown as protobuf.Constructor<protobuf.Long>;
protobuf.configure();

const pb = chat.v1;

export const NackReason = pb.NackReason;
export type NackReason = chat.v1.NackReason;
export const RoomEventKind = pb.RoomEventKind;
export type RoomEventKind = chat.v1.RoomEventKind;
export const TypingState = pb.TypingState;
export type TypingState = chat.v1.TypingState;

export interface Send {
  roomId: string;
  clientMsgId: string;
  roomVersion: number;
  body: Uint8Array;
  contentType: string;
}

export interface Message {
  roomId: string;
  seq: number;
  epoch: number;
  senderId: string;
  senderDevice: string;
  clientMsgId: string;
  sentAtMs: number;
  body: Uint8Array;
  contentType: string;
}

export interface Ack {
  roomId: string;
  clientMsgId: string;
  seq: number;
  duplicate: boolean;
}

export interface Nack {
  roomId: string;
  clientMsgId: string;
  reason: NackReason;
  roomVersion: number;
  detail: string;
  /** With a retryable reason (RATE_LIMITED, UNAVAILABLE): the least wait before the same send goes out again; 0 otherwise. */
  retryAfterMs: number;
}

export interface RoomEvent {
  roomId: string;
  kind: RoomEventKind;
  memberVersion: number;
  userId: string;
  actorId: string;
  metaVersion: number;
  atMs: number;
  /** The device whose keys changed (IDENTITY_CHANGED, DEVICE_ADDED, DEVICE_REMOVED); absent on other kinds. */
  deviceId?: string;
}

/** One device's one-time prekeys ran low after a bundle fetch: that device uploads more. */
export interface KeysLow {
  deviceId: string;
  remaining: number;
  remainingKyber: number;
}

export type InboxItem = { ack: Ack } | { nack: Nack } | { event: RoomEvent } | { keysLow: KeysLow };

export interface Typing {
  state: TypingState;
  userId: string;
}

export interface Presence {
  online: boolean;
  lastSeenMs: number;
}

export interface DeviceStatus {
  online: boolean;
  heartbeatMs: number;
}

export interface Receipt {
  readSeq: number;
  userId: string;
}

export const encodeSend = (send: Send): Uint8Array => pb.Send.encode(send).finish();
export const encodeMessage = (message: Message): Uint8Array => pb.Message.encode(message).finish();
export const encodeRoomEvent = (event: RoomEvent): Uint8Array => pb.RoomEvent.encode(event).finish();
export const encodeInboxItem = (item: InboxItem): Uint8Array => pb.InboxItem.encode(item).finish();
export const encodeTyping = (typing: Typing): Uint8Array => pb.Typing.encode(typing).finish();
export const encodeReceipt = (receipt: Receipt): Uint8Array => pb.Receipt.encode(receipt).finish();
export const encodePresence = (presence: Presence): Uint8Array => pb.Presence.encode(presence).finish();
export const encodeDeviceStatus = (status: DeviceStatus): Uint8Array => pb.DeviceStatus.encode(status).finish();

export function decodePresence(bytes: Uint8Array): Presence {
  const m = pb.Presence.decode(bytes);
  return { online: m.online, lastSeenMs: Number(m.lastSeenMs) };
}

export function decodeDeviceStatus(bytes: Uint8Array): DeviceStatus {
  const m = pb.DeviceStatus.decode(bytes);
  return { online: m.online, heartbeatMs: m.heartbeatMs };
}

export function decodeTyping(bytes: Uint8Array): Typing {
  const m = pb.Typing.decode(bytes);
  return { state: m.state, userId: m.userId };
}

export function decodeReceipt(bytes: Uint8Array): Receipt {
  const m = pb.Receipt.decode(bytes);
  return { readSeq: Number(m.readSeq), userId: m.userId };
}

/** Decoders throw on bytes that are not a valid encoding (caught at the edge that received them). */
export function decodeSend(bytes: Uint8Array): Send {
  const m = pb.Send.decode(bytes);
  return { roomId: m.roomId, clientMsgId: m.clientMsgId, roomVersion: m.roomVersion, body: m.body, contentType: m.contentType };
}

export function decodeMessage(bytes: Uint8Array): Message {
  const m = pb.Message.decode(bytes);
  return {
    roomId: m.roomId,
    seq: Number(m.seq),
    epoch: m.epoch,
    senderId: m.senderId,
    senderDevice: m.senderDevice,
    clientMsgId: m.clientMsgId,
    sentAtMs: Number(m.sentAtMs),
    body: m.body,
    contentType: m.contentType,
  };
}

export function decodeRoomEvent(bytes: Uint8Array): RoomEvent {
  return roomEventFields(pb.RoomEvent.decode(bytes));
}

function roomEventFields(e: chat.v1.RoomEvent.$Shape): RoomEvent {
  return {
    roomId: e.roomId ?? '',
    kind: e.kind ?? RoomEventKind.ROOM_EVENT_KIND_UNSPECIFIED,
    memberVersion: e.memberVersion ?? 0,
    userId: e.userId ?? '',
    actorId: e.actorId ?? '',
    metaVersion: e.metaVersion ?? 0,
    atMs: Number(e.atMs ?? 0),
    // Only on the key events, so the other kinds read back exactly as they were written.
    ...(e.deviceId ? { deviceId: e.deviceId } : {}),
  };
}

export function decodeInboxItem(bytes: Uint8Array): InboxItem {
  const m = pb.InboxItem.decode(bytes);
  if (m.item === 'ack' && m.ack) {
    const a = m.ack;
    return { ack: { roomId: a.roomId ?? '', clientMsgId: a.clientMsgId ?? '', seq: Number(a.seq ?? 0), duplicate: a.duplicate ?? false } };
  }
  if (m.item === 'nack' && m.nack) {
    const n = m.nack;
    return {
      nack: {
        roomId: n.roomId ?? '',
        clientMsgId: n.clientMsgId ?? '',
        reason: n.reason ?? NackReason.NACK_REASON_UNSPECIFIED,
        roomVersion: n.roomVersion ?? 0,
        detail: n.detail ?? '',
        retryAfterMs: n.retryAfterMs ?? 0,
      },
    };
  }
  if (m.item === 'event' && m.event) return { event: roomEventFields(m.event) };
  if (m.item === 'keysLow' && m.keysLow) {
    const k = m.keysLow;
    return { keysLow: { deviceId: k.deviceId ?? '', remaining: k.remaining ?? 0, remainingKyber: k.remainingKyber ?? 0 } };
  }
  throw new RangeError('inbox item carries no ack, nack, event or keys-low notice');
}

const SEND_ROOM_ID_FIELD = 1;
const SEND_CLIENT_MSG_ID_FIELD = 2;
const WIRE_TYPE_LENGTH_DELIMITED = 2;

/**
 * Best effort for a Send that failed to decode: reads the room and client message id
 * fields that come before the damage, so the sender can still get a Nack for it.
 */
export function salvageSendIds(bytes: Uint8Array): { roomId: string; clientMsgId: string } | undefined {
  const reader = protobuf.Reader.create(bytes);
  let roomId = '';
  let clientMsgId = '';
  try {
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      const field = tag >>> 3;
      const wireType = tag & 7;
      const isIdField = (field === SEND_ROOM_ID_FIELD || field === SEND_CLIENT_MSG_ID_FIELD) && wireType === WIRE_TYPE_LENGTH_DELIMITED;
      if (!isIdField) {
        reader.skipType(wireType);
      } else if (field === SEND_ROOM_ID_FIELD) {
        roomId = reader.string();
      } else {
        clientMsgId = reader.string();
      }
    }
  } catch {
    // The damage starts here; keep what was read before it.
  }
  return clientMsgId === '' ? undefined : { roomId, clientMsgId };
}

/** The text fields of Send by field number, under their proto names. */
const SEND_TEXT_FIELD_NAMES: ReadonlyMap<number, string> = new Map([
  [SEND_ROOM_ID_FIELD, 'room_id'],
  [SEND_CLIENT_MSG_ID_FIELD, 'client_msg_id'],
  [5, 'content_type'],
]);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * For a Send that `decodeSend` refused: the proto name of the first text field whose bytes are
 * not UTF-8 (proto3 strings must be; the generated decoder checks), so a Nack can name it.
 */
export function sendFieldWithInvalidUtf8(bytes: Uint8Array): string | undefined {
  const reader = protobuf.Reader.create(bytes);
  try {
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      const name = SEND_TEXT_FIELD_NAMES.get(tag >>> 3);
      if (name === undefined || (tag & 7) !== WIRE_TYPE_LENGTH_DELIMITED) {
        reader.skipType(tag & 7);
        continue;
      }
      try {
        strictUtf8.decode(reader.bytes());
      } catch {
        return name;
      }
    }
  } catch {
    // Damaged framing: no text field to blame.
  }
  return undefined;
}
