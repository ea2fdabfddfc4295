/**
 * Transaction-scoped advisory locks per (room, user), for statements that each check what the
 * other writes: a read receipt looks for notifications shown in the room and a settled push for
 * a read that passed it; a newly recorded push looks for a pending push to wait behind and a
 * settled push for the next one to hand the turn to. Under READ COMMITTED, two such statements
 * running at once would each miss the other's uncommitted row (no retraction queued; a push
 * waiting for nobody); holding the pair's lock first makes the later one start after the earlier
 * commits, so it sees it. Keys are taken in one sorted order, so two batches never wait on each
 * other in a cycle.
 */
import type { Queryable } from './db.js';

export interface RoomUser {
  roomId: string;
  userId: string;
}

/** Must run inside a transaction: the locks last until it ends. */
export async function lockRoomUsers(tx: Queryable, pairs: readonly RoomUser[]): Promise<void> {
  if (pairs.length === 0) return;
  // PostgreSQL evaluates a volatile function in the select list after ORDER BY, so the locks are taken in key order.
  await tx.query(
    `SELECT pg_advisory_xact_lock(k.room_key, k.user_key)
     FROM (
       SELECT DISTINCT hashtext(u.room_id) AS room_key, hashtext(u.user_id) AS user_key
       FROM unnest($1::text[], $2::text[]) AS u(room_id, user_id)
     ) k
     ORDER BY k.room_key, k.user_key`,
    [pairs.map((p) => p.roomId), pairs.map((p) => p.userId)],
  );
}
