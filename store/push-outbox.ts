/**
 * The push outbox (docs/push.md#outbox-and-deliveries): rows written with their message by
 * `insertMessages`, claimed by the push worker of any node (FOR UPDATE SKIP LOCKED, so nodes share
 * it without taking the same row), turned into push deliveries, and revisited once at the
 * acknowledgement deadline.
 */
import type { Queryable } from './db.js';
import { lockRoomUsers } from './room-user-locks.js';
import type { PushPlatform } from './push-tokens.js';

export interface OutboxItem {
  roomId: string;
  seq: number;
  /** Undefined when the message is gone (retention): the row is only to be removed. */
  senderId: string | undefined;
  sentAtMs: number;
}

/** A device that may need a push for an outbox item, with what its user has seen of the room. */
export interface PushTarget {
  roomId: string;
  seq: number;
  userId: string;
  deviceId: string;
  platform: PushPlatform;
  /** max(read_seq, delivered_seq) of the user in the room, as stored. */
  seenSeq: number;
}

export interface OutboxKey {
  roomId: string;
  seq: number;
}

/** Locks up to `limit` due rows for this transaction, skipping rows another node holds. */
export async function claimDueOutbox(tx: Queryable, nowMs: number, limit: number): Promise<OutboxItem[]> {
  const { rows } = await tx.query<OutboxItem>(
    `SELECT o.room_id AS "roomId", o.seq, m.sender_id AS "senderId", COALESCE(m.sent_at_ms, o.due_at_ms) AS "sentAtMs"
     FROM push_outbox o LEFT JOIN messages m ON m.room_id = o.room_id AND m.seq = o.seq
     WHERE o.due_at_ms <= $1 ORDER BY o.due_at_ms LIMIT $2 FOR UPDATE OF o SKIP LOCKED`,
    [nowMs, limit],
  );
  return rows.map((row) => ({ ...row, seq: Number(row.seq), sentAtMs: Number(row.sentAtMs), senderId: row.senderId ?? undefined }));
}

/** Every device with a token for one of `platforms` of every member other than the sender. */
export async function outboxTargets(
  tx: Queryable,
  items: readonly OutboxItem[],
  platforms: readonly PushPlatform[],
): Promise<PushTarget[]> {
  const live = items.filter((item) => item.senderId !== undefined);
  if (live.length === 0) return [];
  const { rows } = await tx.query<PushTarget>(
    `SELECT k.room_id AS "roomId", k.seq, t.user_id AS "userId", t.device_id AS "deviceId", t.platform,
       GREATEST(COALESCE(rr.read_seq, 0), COALESCE(dm.delivered_seq, 0)) AS "seenSeq"
     FROM unnest($1::text[], $2::bigint[], $3::text[]) AS k(room_id, seq, sender_id)
     JOIN room_members rm ON rm.room_id = k.room_id AND rm.user_id <> k.sender_id
     JOIN push_tokens t ON t.user_id = rm.user_id AND t.platform = ANY($4::text[])
     LEFT JOIN read_receipts rr ON rr.room_id = k.room_id AND rr.user_id = rm.user_id
     LEFT JOIN delivery_marks dm ON dm.room_id = k.room_id AND dm.user_id = rm.user_id`,
    [live.map((i) => i.roomId), live.map((i) => i.seq), live.map((i) => i.senderId), platforms],
  );
  return rows.map((row) => ({ ...row, seq: Number(row.seq), seenSeq: Number(row.seenSeq) }));
}

/**
 * Records one push per target (one already recorded is left as it is). A push waits behind a
 * pending push of its (user, device, room) with a lower seq, recorded before or in this batch;
 * the (room, user) locks serialise this with settlements (store/room-user-locks.ts), so a push
 * never waits behind one that was settled unseen, with nobody left to hand it the turn. Must run
 * inside a transaction (the planner's), which holds the locks.
 */
export async function enqueueMessagePushes(tx: Queryable, targets: readonly PushTarget[], nowMs: number): Promise<void> {
  if (targets.length === 0) return;
  await lockRoomUsers(tx, targets);
  await tx.query(
    `INSERT INTO push_deliveries (room_id, seq, kind, user_id, device_id, platform, waiting, next_attempt_at_ms, updated_at_ms)
     SELECT k.room_id, k.seq, 'message', k.user_id, k.device_id, k.platform,
       row_number() OVER (PARTITION BY k.user_id, k.device_id, k.room_id ORDER BY k.seq) > 1 OR EXISTS (
         SELECT 1 FROM push_deliveries e
         WHERE e.status = 'pending' AND e.user_id = k.user_id AND e.device_id = k.device_id AND e.room_id = k.room_id AND e.seq <= k.seq
       ),
       $6, $6
     FROM (
       SELECT DISTINCT u.room_id, u.seq, u.user_id, u.device_id, u.platform
       FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[]) AS u(room_id, seq, user_id, device_id, platform)
       WHERE NOT EXISTS (
         SELECT 1 FROM push_deliveries x
         WHERE x.room_id = u.room_id AND x.seq = u.seq AND x.kind = 'message' AND x.user_id = u.user_id AND x.device_id = u.device_id
       )
     ) k
     ON CONFLICT (room_id, seq, kind, user_id, device_id) DO NOTHING`,
    [
      targets.map((t) => t.roomId),
      targets.map((t) => t.seq),
      targets.map((t) => t.userId),
      targets.map((t) => t.deviceId),
      targets.map((t) => t.platform),
      nowMs,
    ],
  );
}

export async function rescheduleOutbox(tx: Queryable, items: readonly (OutboxKey & { dueAtMs: number })[]): Promise<void> {
  if (items.length === 0) return;
  await tx.query(
    `UPDATE push_outbox o SET due_at_ms = k.due_at_ms
     FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS k(room_id, seq, due_at_ms) WHERE o.room_id = k.room_id AND o.seq = k.seq`,
    [items.map((i) => i.roomId), items.map((i) => i.seq), items.map((i) => i.dueAtMs)],
  );
}

export async function removeFromOutbox(tx: Queryable, items: readonly OutboxKey[]): Promise<void> {
  if (items.length === 0) return;
  await tx.query(
    `DELETE FROM push_outbox o USING unnest($1::text[], $2::bigint[]) AS k(room_id, seq) WHERE o.room_id = k.room_id AND o.seq = k.seq`,
    [items.map((i) => i.roomId), items.map((i) => i.seq)],
  );
}

/** When the next outbox row falls due (a message waiting for its acknowledgement deadline); undefined when empty. */
export async function earliestOutboxDueAtMs(db: Queryable): Promise<number | undefined> {
  const { rows } = await db.query<{ dueAtMs: number | null }>('SELECT min(due_at_ms) AS "dueAtMs" FROM push_outbox');
  const dueAtMs = rows[0]?.dueAtMs;
  return dueAtMs === null || dueAtMs === undefined ? undefined : Number(dueAtMs);
}

/** How many messages wait in the outbox (tests and metrics). */
export async function outboxSize(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ count: number }>('SELECT count(*)::integer AS count FROM push_outbox');
  return Number(rows[0]?.count ?? 0);
}

/** Push work due at `nowMs` and not yet taken: outbox rows, and pending pushes to devices (a claimed one is leased past now). */
export async function countPushBacklog(db: Queryable, nowMs: number): Promise<{ outbox: number; deliveries: number }> {
  const { rows } = await db.query<{ outbox: string; deliveries: string }>(
    `SELECT (SELECT count(*) FROM push_outbox WHERE due_at_ms <= $1) AS outbox,
            (SELECT count(*) FROM push_deliveries WHERE status = 'pending' AND next_attempt_at_ms <= $1) AS deliveries`,
    [nowMs],
  );
  const row = rows[0];
  return { outbox: Number(row?.outbox ?? 0), deliveries: Number(row?.deliveries ?? 0) };
}
