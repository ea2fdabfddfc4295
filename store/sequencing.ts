/**
 * The sequencing decision for one batch of sends, as a pure function of what the
 * transaction read: which sends are stored (and under which seq), which are duplicates of
 * a stored message, and which are rejected. `append-sends.ts` runs it between the reads
 * and the writes of one transaction, so it sees a consistent snapshot under the room locks.
 */
import type { Message, Nack } from '../schema/index.js';

export interface PendingSend {
  roomId: string;
  senderId: string;
  senderDevice: string;
  clientMsgId: string;
  roomVersion: number;
  contentType: string;
  body: Uint8Array;
}

export type RejectReason = 'ROOM_NOT_FOUND' | 'NOT_MEMBER' | 'STALE_ROOM_VERSION';

/** What the sequencing decided for one send. A stored message is the wire `Message` (its row holds exactly those fields). */
export type SendOutcome =
  | { status: 'stored'; message: Message }
  | { status: 'duplicate'; message: Message }
  | { status: 'rejected'; reason: RejectReason; roomVersion: number };

/**
 * What the sender is told, over MQTT (the inbox Ack or Nack) or REST (201/200 or an error): the
 * outcome, or a Nack with its reason, also for sends refused before any batch (rate, validity,
 * an unreachable database). The send pipeline (bridge/) makes it; the REST API returns it.
 */
export type SendResult = { status: 'stored' | 'duplicate'; message: Message } | { status: 'rejected'; nack: Nack };

export interface RoomState {
  lastSeq: number;
  memberVersion: number;
  epoch: number;
}

export interface BatchSnapshot {
  rooms: ReadonlyMap<string, RoomState>;
  /** Keys from `memberKey(roomId, userId)`. */
  members: ReadonlySet<string>;
  /** Already stored messages, by `dedupKey`. */
  stored: ReadonlyMap<string, Message>;
}

export interface BatchPlan {
  outcomes: SendOutcome[];
  /** Messages to insert, in seq order per room. */
  inserts: Message[];
  /** New last_seq of every room that got messages. */
  lastSeqs: Map<string, number>;
}

export const memberKey = (roomId: string, userId: string): string => `${roomId}\u0000${userId}`;
export const dedupKey = (s: { roomId: string; senderId: string; clientMsgId: string }): string =>
  `${s.roomId}\u0000${s.senderId}\u0000${s.clientMsgId}`;

/**
 * Dedup comes first: a retry of a stored send gets its original seq even if the sender
 * has since been removed or the room version moved (the send was legitimate when stored).
 * Then the room must exist, the sender must be a member, and the version it saw must be
 * the current one. Seqs are handed out in batch order, gapless from the room's last_seq.
 */
export function planBatch(sends: readonly PendingSend[], snapshot: BatchSnapshot, nowMs: number): BatchPlan {
  const lastSeqs = new Map<string, number>();
  const accepted = new Map<string, Message>();
  const inserts: Message[] = [];
  const outcomes = sends.map((send): SendOutcome => {
    const key = dedupKey(send);
    const earlier = snapshot.stored.get(key) ?? accepted.get(key);
    if (earlier !== undefined) return { status: 'duplicate', message: earlier };
    const room = snapshot.rooms.get(send.roomId);
    if (room === undefined) return { status: 'rejected', reason: 'ROOM_NOT_FOUND', roomVersion: 0 };
    if (!snapshot.members.has(memberKey(send.roomId, send.senderId))) {
      return { status: 'rejected', reason: 'NOT_MEMBER', roomVersion: room.memberVersion };
    }
    if (send.roomVersion !== room.memberVersion) {
      return { status: 'rejected', reason: 'STALE_ROOM_VERSION', roomVersion: room.memberVersion };
    }
    const seq = (lastSeqs.get(send.roomId) ?? room.lastSeq) + 1;
    lastSeqs.set(send.roomId, seq);
    const message: Message = {
      roomId: send.roomId,
      seq,
      epoch: room.epoch,
      senderId: send.senderId,
      senderDevice: send.senderDevice,
      clientMsgId: send.clientMsgId,
      sentAtMs: nowMs,
      contentType: send.contentType,
      body: send.body,
    };
    accepted.set(key, message);
    inserts.push(message);
    return { status: 'stored', message };
  });
  return { outcomes, inserts, lastSeqs };
}
