import type { Db, Queryable } from './db.js';
import { lockRoomUsers } from './room-user-locks.js';

export interface ReadMark {
  roomId: string;
  userId: string;
  readSeq: number;
}

/**
 * Stores many read marks in one statement. Each keeps the maximum ever read, is clamped to the
 * room's last_seq (a receipt beyond it is never stored as is), and is ignored unless the user
 * is a member of the room. A read that reaches a notification shown on one of the user's
 * devices queues its retraction in the same statement (push_retractions, docs/push.md#retraction),
 * under the (room, user) locks a settled push takes too, so a read and a push crossing it never
 * both miss.
 */
export async function recordReadMarks(db: Db, marks: readonly ReadMark[]): Promise<void> {
  if (marks.length === 0) return;
  await db.transaction((tx) => raiseReadMarks(tx, marks));
}

/** `recordReadMarks` inside the caller's transaction, which then holds the (room, user) locks until it ends. */
export async function raiseReadMarks(tx: Queryable, marks: readonly ReadMark[]): Promise<void> {
  if (marks.length === 0) return;
  await lockRoomUsers(tx, marks);
  await upsertReadMarks(tx, marks);
}

async function upsertReadMarks(db: Queryable, marks: readonly ReadMark[]): Promise<void> {
  await db.query(
    `WITH raised AS (
       INSERT INTO read_receipts (room_id, user_id, read_seq)
       SELECT v.room_id, v.user_id, LEAST(v.read_seq, r.last_seq)
       FROM unnest($1::text[], $2::text[], $3::bigint[]) AS v(room_id, user_id, read_seq)
       JOIN rooms r ON r.id = v.room_id
       JOIN room_members m ON m.room_id = v.room_id AND m.user_id = v.user_id
       ON CONFLICT (room_id, user_id) DO UPDATE SET read_seq = GREATEST(read_receipts.read_seq, EXCLUDED.read_seq)
       RETURNING room_id, user_id, read_seq
     )
     INSERT INTO push_retractions (room_id, user_id, read_seq)
     SELECT r.room_id, r.user_id, r.read_seq FROM raised r
     WHERE EXISTS (SELECT 1 FROM push_shown s WHERE s.user_id = r.user_id AND s.room_id = r.room_id AND s.shown_seq <= r.read_seq)
     ON CONFLICT (room_id, user_id) DO UPDATE SET read_seq = GREATEST(push_retractions.read_seq, EXCLUDED.read_seq)`,
    [marks.map((m) => m.roomId), marks.map((m) => m.userId), marks.map((m) => m.readSeq)],
  );
}

/** The highest seq `userId` has read in `roomId` (0 when nothing yet). */
export async function getReadSeq(db: Queryable, roomId: string, userId: string): Promise<number> {
  const { rows } = await db.query<{ readSeq: number }>(
    'SELECT read_seq AS "readSeq" FROM read_receipts WHERE room_id = $1 AND user_id = $2',
    [roomId, userId],
  );
  return Number(rows[0]?.readSeq ?? 0);
}

/** The read marks of `userId` in `roomIds` that have one, by room id (a room missing has read nothing). */
export async function readSeqsOfUser(db: Queryable, userId: string, roomIds: readonly string[]): Promise<Map<string, number>> {
  const { rows } = await db.query<{ roomId: string; readSeq: number }>(
    'SELECT room_id AS "roomId", read_seq AS "readSeq" FROM read_receipts WHERE user_id = $1 AND room_id = ANY($2::text[])',
    [userId, [...roomIds]],
  );
  return new Map(rows.map((row) => [row.roomId, Number(row.readSeq)]));
}
