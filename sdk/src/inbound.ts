/**
 * Everything that arrives on the client's subscriptions, decoded and checked before anything
 * acts on it: a payload that does not decode, or decodes into nonsense (protobuf happily
 * decodes many random byte strings into all-default fields), is reported as malformed and
 * dropped. Nothing here throws (docs/guarantees.md#bad-input-is-contained: bad input is a drop,
 * never a crash).
 */
import {
  decodeInboxItem,
  decodeMessage,
  decodePresence,
  decodeReceipt,
  decodeRoomEvent,
  decodeTyping,
  isValidId,
  parseTopic,
  type Ack,
  type KeysLow,
  type Message,
  type Nack,
  type Presence,
  type Receipt,
  type RoomEvent,
  type Typing,
} from '@mqtt-chat/protocol';

export interface InboundHandlers {
  message(message: Message): void;
  typing(roomId: string, typing: Typing): void;
  receipt(roomId: string, receipt: Receipt): void;
  /** From a room's event topic or from the inbox. */
  roomEvent(event: RoomEvent): void;
  ack(ack: Ack): void;
  nack(nack: Nack): void;
  /** A user's presence, aggregated over their devices by the platform. */
  presence(userId: string, presence: Presence): void;
  /** End-to-end encryption: a device of this user should upload more one-time prekeys. Ignored when absent. */
  keysLow?(notice: KeysLow): void;
  malformed(topic: string, reason: string): void;
}

const isSeq = (n: number): boolean => Number.isSafeInteger(n) && n > 0;

export function routeInbound(topic: string, payload: Uint8Array, handlers: InboundHandlers): void {
  const parsed = parseTopic(topic);
  let problem: string | undefined;
  try {
    problem = parsed === undefined ? 'topic outside the grammar' : dispatch(parsed, payload, handlers);
  } catch (error) {
    problem = `undecodable: ${(error as Error).message}`;
  }
  if (problem !== undefined) handlers.malformed(topic, problem);
}

/** Returns what is wrong with the payload, or undefined once it has been handed on. */
function dispatch(topic: NonNullable<ReturnType<typeof parseTopic>>, payload: Uint8Array, handlers: InboundHandlers): string | undefined {
  switch (topic.kind) {
    case 'room': {
      const message = decodeMessage(payload);
      if (message.roomId !== topic.roomId || !isSeq(message.seq)) return 'message for another room, or without a seq';
      return void handlers.message(message);
    }
    case 'typing': {
      const typing = decodeTyping(payload);
      if (!isValidId(typing.userId)) return 'typing without the sender stamp';
      return void handlers.typing(topic.roomId, typing);
    }
    case 'receipt': {
      const receipt = decodeReceipt(payload);
      if (!isValidId(receipt.userId) || !Number.isSafeInteger(receipt.readSeq)) return 'receipt without the reader stamp';
      return void handlers.receipt(topic.roomId, receipt);
    }
    case 'roomEvent': {
      const event = decodeRoomEvent(payload);
      if (event.roomId !== topic.roomId) return 'room event for another room';
      return void handlers.roomEvent(event);
    }
    case 'inbox':
      return dispatchInbox(payload, handlers);
    case 'presence': {
      const presence = decodePresence(payload);
      if (!Number.isSafeInteger(presence.lastSeenMs) || presence.lastSeenMs < 0) return 'presence with an impossible last-seen time';
      return void handlers.presence(topic.userId, presence);
    }
    default:
      return `no subscription of the client delivers ${topic.kind} topics`;
  }
}

function dispatchInbox(payload: Uint8Array, handlers: InboundHandlers): string | undefined {
  const item = decodeInboxItem(payload);
  if ('ack' in item) {
    if (!isValidId(item.ack.roomId) || !isSeq(item.ack.seq)) return 'ack without a room or seq';
    return void handlers.ack(item.ack);
  }
  if ('nack' in item) {
    if (!isValidId(item.nack.roomId)) return 'nack without a room';
    return void handlers.nack(item.nack);
  }
  if ('keysLow' in item) {
    if (!isValidId(item.keysLow.deviceId)) return 'keys-low notice without a device';
    return void handlers.keysLow?.(item.keysLow);
  }
  if (!isValidId(item.event.roomId)) return 'room event without a room';
  return void handlers.roomEvent(item.event);
}
