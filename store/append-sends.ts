import type { Db, Queryable } from './db.js';
import type { Message } from '../schema/index.js';
import { raiseReadMarks, type ReadMark } from './receipts.js';
import { dedupKey, memberKey, planBatch, type PendingSend, type RoomState, type SendOutcome } from './sequencing.js';

export const MESSAGE_COLUMNS = `m.room_id AS "roomId", m.seq, r.epoch, m.sender_id AS "senderId", m.sender_device AS "senderDevice",
  m.client_msg_id AS "clientMsgId", m.sent_at_ms AS "sentAtMs", m.content_type AS "contentType", m.body`;

export interface AppendResult {
  /** In the order of the sends. */
  outcomes: SendOutcome[];
  /** Stored messages that got a push outbox row (some other member has a push token). */
  pushQueued: number;
}

/**
 * Sequences and stores a batch of sends in one transaction with three statements whatever the
 * batch size (lock the rooms and read their members; read duplicates; insert, queue for push
 * and bump last_seq): batching is where the durable path's throughput comes from
 * (docs/durable-path.md#batching).
 */
export async function appendSends(db: Db, sends: readonly PendingSend[], nowMs: number): Promise<AppendResult> {
  if (sends.length === 0) return { outcomes: [], pushQueued: 0 };
  const roomIds = [...new Set(sends.map((s) => s.roomId))].sort(); // one lock order for every batch: no deadlocks
  const senderIds = [...new Set(sends.map((s) => s.senderId))];
  return db.transaction(async (tx) => {
    const { rooms, members, pushHolders } = await lockRooms(tx, roomIds, senderIds);
    const stored = await readStored(tx, sends, rooms);
    const plan = planBatch(sends, { rooms, members, stored }, nowMs);
    // Push-worthy: some member other than the sender has a push token
    // (docs/push.md#outbox-and-deliveries).
    const forPush = plan.inserts.filter((m) => (pushHolders.get(m.roomId) ?? []).some((userId) => userId !== m.senderId));
    if (plan.inserts.length > 0) await insertMessages(tx, plan.inserts, plan.lastSeqs, forPush);
    await raiseReadMarks(tx, ownReads(plan.inserts));
    return { outcomes: plan.outcomes, pushQueued: forPush.length };
  });
}

/**
 * A sender has read its own message: its read mark moves to it in the message's transaction, so
 * its own messages never count as unread (in GET /v1/rooms, and in the push badge).
 */
function ownReads(inserts: readonly Message[]): ReadMark[] {
  const newest = new Map<string, ReadMark>();
  for (const { roomId, senderId, seq } of inserts) {
    const key = memberKey(roomId, senderId);
    if ((newest.get(key)?.readSeq ?? 0) < seq) newest.set(key, { roomId, userId: senderId, readSeq: seq });
  }
  return [...newest.values()];
}

/**
 * Locks the rooms (FOR UPDATE) and reads, in one statement, which of the senders are their
 * members and up to two members with a push token (one who is not the sender is all a message
 * needs to be queued for push), so a room without any costs one pass over its members.
 */
async function lockRooms(
  tx: Queryable,
  roomIds: string[],
  senderIds: string[],
): Promise<{ rooms: Map<string, RoomState>; members: Set<string>; pushHolders: Map<string, string[]> }> {
  const { rows } = await tx.query<RoomState & { id: string; memberIds: string[]; pushHolders: string[] }>(
    `SELECT r.id, r.last_seq AS "lastSeq", r.member_version AS "memberVersion", r.epoch,
       ARRAY(SELECT m.user_id FROM room_members m WHERE m.room_id = r.id AND m.user_id = ANY($2::text[])) AS "memberIds",
       ARRAY(
         SELECT m.user_id FROM room_members m
         WHERE m.room_id = r.id AND EXISTS (SELECT 1 FROM push_tokens t WHERE t.user_id = m.user_id) LIMIT 2
       ) AS "pushHolders"
     FROM rooms r WHERE r.id = ANY($1::text[]) ORDER BY r.id FOR UPDATE OF r`,
    [roomIds, senderIds],
  );
  return {
    rooms: new Map(rows.map((r) => [r.id, { lastSeq: r.lastSeq, memberVersion: r.memberVersion, epoch: r.epoch }])),
    members: new Set(rows.flatMap((r) => r.memberIds.map((userId) => memberKey(r.id, userId)))),
    pushHolders: new Map(rows.map((r) => [r.id, r.pushHolders])),
  };
}

/**
 * Earlier copies of these sends. One index lookup per key on the (room_id, sender_id,
 * client_msg_id) unique index, whatever the statistics say: as a plain join, a table never
 * analysed (PGlite has no autovacuum) got plans that scan a room's whole history. The LIMIT
 * keeps the planner from flattening the LATERAL subquery back into such a join.
 */
async function readStored(
  tx: Queryable,
  sends: readonly PendingSend[],
  rooms: ReadonlyMap<string, RoomState>,
): Promise<Map<string, Message>> {
  const { rows } = await tx.query<Omit<Message, 'epoch'>>(
    `SELECT m.room_id AS "roomId", m.seq, m.sender_id AS "senderId", m.sender_device AS "senderDevice",
       m.client_msg_id AS "clientMsgId", m.sent_at_ms AS "sentAtMs", m.content_type AS "contentType", m.body
     FROM unnest($1::text[], $2::text[], $3::text[]) AS k(room_id, sender_id, client_msg_id)
     CROSS JOIN LATERAL (
       SELECT * FROM messages WHERE room_id = k.room_id AND sender_id = k.sender_id AND client_msg_id = k.client_msg_id LIMIT 1
     ) AS m`,
    [sends.map((s) => s.roomId), sends.map((s) => s.senderId), sends.map((s) => s.clientMsgId)],
  );
  return new Map(rows.map((row) => [dedupKey(row), normalizeMessage({ ...row, epoch: rooms.get(row.roomId)?.epoch ?? 0 })]));
}

/**
 * Inserts sequenced messages and moves each room's last_seq, in one statement (a
 * data-modifying CTE); with `forPush`, the same statement also queues those messages in the
 * push outbox, due at once (in the transaction of the message: never lost, never orphaned).
 * Also the statement the benchmark's raw ceiling measures.
 */
export async function insertMessages(
  tx: Queryable,
  messages: readonly Message[],
  lastSeqs: ReadonlyMap<string, number>,
  forPush: readonly Message[] = [],
): Promise<void> {
  const queue =
    forPush.length === 0
      ? ''
      : `, queued AS (
           INSERT INTO push_outbox (room_id, seq, due_at_ms) SELECT * FROM unnest($11::text[], $12::bigint[], $13::bigint[])
         )`;
  await tx.query(
    `WITH inserted AS (
       INSERT INTO messages (room_id, seq, sender_id, sender_device, client_msg_id, sent_at_ms, content_type, body)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::bytea[])
     )${queue}
     UPDATE rooms SET last_seq = v.last_seq FROM unnest($9::text[], $10::bigint[]) AS v(id, last_seq) WHERE rooms.id = v.id`,
    [
      messages.map((m) => m.roomId),
      messages.map((m) => m.seq),
      messages.map((m) => m.senderId),
      messages.map((m) => m.senderDevice),
      messages.map((m) => m.clientMsgId),
      messages.map((m) => m.sentAtMs),
      messages.map((m) => m.contentType),
      messages.map((m) => Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength)),
      [...lastSeqs.keys()],
      [...lastSeqs.values()],
      ...(forPush.length === 0 ? [] : [forPush.map((m) => m.roomId), forPush.map((m) => m.seq), forPush.map((m) => m.sentAtMs)]),
    ],
  );
}

/**
 * Both drivers agree on numbers for int8 (see the adapters). bytea is a Buffer (pg) or a
 * Uint8Array (PGlite): both become a plain Uint8Array view, so callers see one type.
 */
export function normalizeMessage(row: Message): Message {
  const body = row.body;
  return {
    ...row,
    seq: Number(row.seq),
    sentAtMs: Number(row.sentAtMs),
    body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
  };
}
