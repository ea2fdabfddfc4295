import type { Queryable } from './db.js';

export interface ReadMark {
  roomId: string;
  userId: string;
  readSeq: number;
}

/**
 * Stores many read marks in one statement. Each keeps the maximum ever read, is clamped to the
 * room's last_seq (a receipt beyond it is never stored as is), and is ignored unless the user
 * is a member of the room.
 */
export async function recordReadMarks(db: Queryable, marks: readonly ReadMark[]): Promise<void> {
  if (marks.length === 0) return;
  await db.query(
    `INSERT INTO read_receipts (room_id, user_id, read_seq)
     SELECT v.room_id, v.user_id, LEAST(v.read_seq, r.last_seq)
     FROM unnest($1::text[], $2::text[], $3::bigint[]) AS v(room_id, user_id, read_seq)
     JOIN rooms r ON r.id = v.room_id
     JOIN room_members m ON m.room_id = v.room_id AND m.user_id = v.user_id
     ON CONFLICT (room_id, user_id) DO UPDATE SET read_seq = GREATEST(read_receipts.read_seq, EXCLUDED.read_seq)`,
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
