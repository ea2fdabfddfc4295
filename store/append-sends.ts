import type { Db, Queryable } from './db.js';
import { dedupKey, memberKey, planBatch, type PendingSend, type RoomState, type SendOutcome, type StoredMessage } from './sequencing.js';

export const MESSAGE_COLUMNS = `m.room_id AS "roomId", m.seq, r.epoch, m.sender_id AS "senderId", m.sender_device AS "senderDevice",
  m.client_msg_id AS "clientMsgId", m.sent_at_ms AS "sentAtMs", m.content_type AS "contentType", m.body`;

/**
 * Sequences and stores a batch of sends in one transaction with a fixed number of round
 * trips (lock rooms, read members, read duplicates, insert, bump last_seq), whatever the
 * batch size: batching is where the durable path's throughput comes from (DESIGN §6).
 * Outcomes are in the order of `sends`.
 */
export async function appendSends(db: Db, sends: readonly PendingSend[], nowMs: number): Promise<SendOutcome[]> {
  if (sends.length === 0) return [];
  const roomIds = [...new Set(sends.map((s) => s.roomId))].sort(); // one lock order for every batch: no deadlocks
  const senderIds = [...new Set(sends.map((s) => s.senderId))];
  return db.transaction(async (tx) => {
    const rooms = await lockRooms(tx, roomIds);
    const members = await readMembers(tx, roomIds, senderIds);
    const stored = await readStored(tx, sends);
    const plan = planBatch(sends, { rooms, members, stored }, nowMs);
    if (plan.inserts.length > 0) {
      await insertMessages(tx, plan.inserts);
      await tx.query(
        `UPDATE rooms SET last_seq = v.last_seq FROM unnest($1::text[], $2::bigint[]) AS v(id, last_seq) WHERE rooms.id = v.id`,
        [[...plan.lastSeqs.keys()], [...plan.lastSeqs.values()]],
      );
    }
    return plan.outcomes;
  });
}

async function lockRooms(tx: Queryable, roomIds: string[]): Promise<Map<string, RoomState>> {
  const { rows } = await tx.query<RoomState & { id: string }>(
    `SELECT id, last_seq AS "lastSeq", member_version AS "memberVersion", epoch FROM rooms
     WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`,
    [roomIds],
  );
  return new Map(rows.map((r) => [r.id, { lastSeq: r.lastSeq, memberVersion: r.memberVersion, epoch: r.epoch }]));
}

async function readMembers(tx: Queryable, roomIds: string[], userIds: string[]): Promise<Set<string>> {
  const { rows } = await tx.query<{ room_id: string; user_id: string }>(
    'SELECT room_id, user_id FROM room_members WHERE room_id = ANY($1::text[]) AND user_id = ANY($2::text[])',
    [roomIds, userIds],
  );
  return new Set(rows.map((r) => memberKey(r.room_id, r.user_id)));
}

async function readStored(tx: Queryable, sends: readonly PendingSend[]): Promise<Map<string, StoredMessage>> {
  const { rows } = await tx.query<StoredMessage>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages m
       JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(room_id, sender_id, client_msg_id)
         ON m.room_id = k.room_id AND m.sender_id = k.sender_id AND m.client_msg_id = k.client_msg_id
       JOIN rooms r ON r.id = m.room_id`,
    [sends.map((s) => s.roomId), sends.map((s) => s.senderId), sends.map((s) => s.clientMsgId)],
  );
  return new Map(rows.map((row) => [dedupKey(row), normalizeMessage(row)]));
}

async function insertMessages(tx: Queryable, messages: readonly StoredMessage[]): Promise<void> {
  await tx.query(
    `INSERT INTO messages (room_id, seq, sender_id, sender_device, client_msg_id, sent_at_ms, content_type, body)
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::bytea[])`,
    [
      messages.map((m) => m.roomId),
      messages.map((m) => m.seq),
      messages.map((m) => m.senderId),
      messages.map((m) => m.senderDevice),
      messages.map((m) => m.clientMsgId),
      messages.map((m) => m.sentAtMs),
      messages.map((m) => m.contentType),
      messages.map((m) => Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength)),
    ],
  );
}

/**
 * Both drivers agree on numbers for int8 (see the adapters). bytea is a Buffer (pg) or a
 * Uint8Array (PGlite): both become a plain Uint8Array view, so callers see one type.
 */
export function normalizeMessage(row: StoredMessage): StoredMessage {
  const body = row.body;
  return {
    ...row,
    seq: Number(row.seq),
    sentAtMs: Number(row.sentAtMs),
    body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
  };
}
