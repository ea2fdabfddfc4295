import type { Queryable } from './db.js';

/** The highest seq of a room that some device of the user received (MQTT PUBACK, or a REST fetch). */
export interface DeliveryMark {
  roomId: string;
  userId: string;
  deliveredSeq: number;
}

/**
 * Stores many delivery marks in one statement, like read marks: the maximum per (room, user),
 * clamped to the room's last_seq, members only. The push worker pushes nobody a message their
 * mark has reached (docs/signals.md#delivery-marks).
 */
export async function recordDeliveryMarks(db: Queryable, marks: readonly DeliveryMark[]): Promise<void> {
  if (marks.length === 0) return;
  await db.query(
    `INSERT INTO delivery_marks (room_id, user_id, delivered_seq)
     SELECT v.room_id, v.user_id, LEAST(v.delivered_seq, r.last_seq)
     FROM unnest($1::text[], $2::text[], $3::bigint[]) AS v(room_id, user_id, delivered_seq)
     JOIN rooms r ON r.id = v.room_id
     JOIN room_members m ON m.room_id = v.room_id AND m.user_id = v.user_id
     ON CONFLICT (room_id, user_id) DO UPDATE SET delivered_seq = GREATEST(delivery_marks.delivered_seq, EXCLUDED.delivered_seq)`,
    [marks.map((m) => m.roomId), marks.map((m) => m.userId), marks.map((m) => m.deliveredSeq)],
  );
}

/** The highest seq `userId` received in `roomId` (0 when none). */
export async function getDeliveredSeq(db: Queryable, roomId: string, userId: string): Promise<number> {
  const { rows } = await db.query<{ deliveredSeq: number }>(
    'SELECT delivered_seq AS "deliveredSeq" FROM delivery_marks WHERE room_id = $1 AND user_id = $2',
    [roomId, userId],
  );
  return Number(rows[0]?.deliveredSeq ?? 0);
}
