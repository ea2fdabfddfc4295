/**
 * What the client keeps per room it follows: the history sync (sequencer + catch-up), the room
 * version its sends carry, typing in both directions, and the read marker still to publish.
 */
import { encodeReceipt, encodeTyping, receiptTopic, roomEventTopic, roomTopic, typingTopic, type TypingState } from '@mqtt-chat/protocol';
import type { Clock } from './clock.js';
import { createTypingReceiver, type TypingReceiver } from './typing/typing-receiver.js';
import { createTypingSender, type TypingSender } from './typing/typing-sender.js';
import type { MqttSession } from './mqtt-session.js';
import { emptyFacts, type RoomFacts } from './room-summary.js';
import { createRoomSync, type RoomSync, type RoomSyncDeps, type RoomSyncOptions } from './room-sync.js';

export interface FollowedRoom {
  readonly roomId: string;
  readonly sync: RoomSync;
  readonly typingReceiver: TypingReceiver;
  /** The member version the client has seen; sends carry it (docs/durable-path.md#group-permission-race). */
  memberVersion: number;
  /** Set while the room's topics are subscribed on the current session. */
  subscribed: boolean;
  readonly facts: RoomFacts;
  typingSender(): TypingSender;
  /** Remembers `seq` as read and publishes it when it can (receipts are QoS 0: an offline mark waits). */
  markRead(seq: number): void;
  /** Raises the newest seq known to exist. */
  sawSeq(seq: number): void;
  /** Raises the user's read mark (told by the platform or by one of their devices), clamped to the newest seq known. */
  sawRead(readSeq: number): void;
  /** The session is ready and the room subscribed: publish what waited. */
  flush(session: MqttSession): void;
  dispose(): void;
}

export interface FollowedRoomDeps {
  clock: Clock;
  session(): MqttSession | undefined;
  typingChanged(roomId: string, userIds: string[]): void;
  sync: Omit<RoomSyncDeps, 'clock'>;
}

/** The four topics of a room the client subscribes to, in one SUBSCRIBE. */
export const roomTopics = (roomId: string): string[] => [
  roomTopic(roomId),
  roomEventTopic(roomId),
  typingTopic(roomId),
  receiptTopic(roomId),
];

export function createFollowedRoom(
  deps: FollowedRoomDeps,
  options: RoomSyncOptions & { memberVersion: number; selfUserId: string },
): FollowedRoom {
  const { roomId } = options;
  let sender: TypingSender | undefined;
  let readSeq = 0;
  /** Receipts are QoS 0, so the latest mark is published again on each new session. */
  let published: { session: MqttSession; readSeq: number } | undefined;

  const usableSession = (): MqttSession | undefined => (room.subscribed ? deps.session() : undefined);

  function publishTyping(state: TypingState): void {
    // Typing is ephemeral: while offline it is dropped, never queued
    // (docs/signals.md#sender-state-machine).
    usableSession()?.publish(typingTopic(roomId), encodeTyping({ state, userId: '' }), { qos: 0 });
  }

  function publishRead(session: MqttSession): void {
    const isPublished = readSeq === 0 || (published?.session === session && published.readSeq >= readSeq);
    if (isPublished) return;
    session.publish(receiptTopic(roomId), encodeReceipt({ readSeq, userId: '' }), { qos: 0 });
    published = { session, readSeq };
  }

  const room: FollowedRoom = {
    roomId,
    sync: createRoomSync({ clock: deps.clock, ...deps.sync }, options),
    typingReceiver: createTypingReceiver(
      { clock: deps.clock, onChange: (userIds) => deps.typingChanged(roomId, userIds) },
      { selfUserId: options.selfUserId },
    ),
    memberVersion: options.memberVersion,
    subscribed: false,
    facts: emptyFacts(),
    typingSender() {
      sender ??= createTypingSender({ clock: deps.clock, emit: publishTyping });
      return sender;
    },
    markRead(seq) {
      readSeq = Math.max(readSeq, seq);
      room.sawRead(seq);
      const session = usableSession();
      if (session !== undefined) publishRead(session);
    },
    sawSeq(seq) {
      room.facts.lastSeq = Math.max(room.facts.lastSeq, seq);
    },
    sawRead(seq) {
      // The platform clamps a read mark to the room's last seq; so does the count here, or a mark
      // ahead of what arrived would hide the unread messages that fill the difference.
      room.facts.readSeq = Math.max(room.facts.readSeq, Math.min(seq, room.facts.lastSeq));
    },
    flush(session) {
      publishRead(session);
    },
    dispose() {
      room.sync.dispose();
      room.typingReceiver.dispose();
      sender?.dispose();
    },
  };
  return room;
}
