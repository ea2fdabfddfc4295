/**
 * Push deliveries (docs/push.md#at-least-once-never-stale): one row per push to one device,
 * recorded before it is sent. Claiming leases a row (moves its next attempt past the time a send
 * can take) instead of holding a lock during the provider call, so a node that dies mid-send leaves
 * the row to be claimed again, and the push is sent again with the same dedup key: at least once,
 * never lost.
 */
import type { Db, Queryable } from './db.js';
import { lockRoomUsers } from './room-user-locks.js';
import type { PushPlatform } from './push-tokens.js';

export type DeliveryKind = 'message' | 'retract';
export type DeliveryStatus = 'pending' | 'sent' | 'skipped' | 'dead' | 'rejected' | 'failed';

export interface ClaimedDelivery {
  id: number;
  roomId: string;
  /** The message's seq; for a retraction, the read seq it retracts up to. */
  seq: number;
  kind: DeliveryKind;
  userId: string;
  deviceId: string;
  platform: PushPlatform;
  /** Including this one. */
  attempts: number;
  /** What the push is made of, read as it is claimed: a retried push carries a current token and badge. */
  context: DeliveryContext;
}

export interface DeliveryContext {
  /** The device's current token; undefined once it was deleted. */
  token: string | undefined;
  tokenPlatform: PushPlatform | undefined;
  isMember: boolean;
  readSeq: number;
  deliveredSeq: number;
  encrypted: boolean;
  /** The user's unread total over all its rooms (sum of last_seq - read_seq): the app badge. */
  badge: number;
  /** For message pushes whose message is still stored. */
  message: { senderId: string; senderName: string; sentAtMs: number; contentType: string; body: Uint8Array } | undefined;
}

/**
 * Which claim of which delivery an outcome is of: once the row was claimed again (its lease ran
 * out), an outcome of the earlier claim is stale and ignored. The room and user name the lock
 * the settlement takes.
 */
export type DeliveryClaim = Pick<ClaimedDelivery, 'id' | 'attempts' | 'roomId' | 'userId'>;

export const deliveryClaimOf = ({ id, attempts, roomId, userId }: ClaimedDelivery): DeliveryClaim => ({ id, attempts, roomId, userId });

export interface Settlement extends DeliveryClaim {
  status: DeliveryStatus;
  /** When status stays 'pending' (a retry). */
  nextAttemptAtMs?: number;
  /** The provider's word (or why it was skipped), for operators. */
  outcome: string;
  /** Set for a sent message push: it is now shown on (userId, deviceId) in roomId up to seq. */
  shown?: { userId: string; deviceId: string; roomId: string; seq: number };
  /** Set when the provider called the token dead: it is deleted if the device still has it. */
  deadToken?: { userId: string; deviceId: string; token: string };
}

interface ClaimedRow extends Omit<ClaimedDelivery, 'context'>, Omit<DeliveryContext, 'message'> {
  senderId: string | null;
  senderName: string | null;
  sentAtMs: number | null;
  contentType: string | null;
  body: Uint8Array | null;
}

/**
 * Leases up to `limit` due deliveries to `platform` until `leaseUntilMs`, counting the attempt,
 * and reads what each push is made of, in one statement. Only the first pending delivery of a
 * (user, device, room) is claimable: pushes sharing a collapse key go out one at a time in seq
 * order, across every node, and a burst to one device holds one send slot, not many (whose
 * leases would run out while they waited for each other). The ones behind it are `waiting`,
 * outside the due index, so a claim never scans a backlog; the NOT EXISTS covers the few not
 * waiting that are still not first (a retraction, a message planned out of order).
 *
 * The lookups are one index probe per row (LATERAL ... LIMIT 1) whatever the statistics say: as
 * plain joins, tables never analysed (PGlite has no autovacuum) got plans that scan all of messages.
 */
export async function claimDueDeliveries(
  db: Queryable,
  options: { platform: PushPlatform; nowMs: number; leaseUntilMs: number; limit: number },
): Promise<ClaimedDelivery[]> {
  const { rows } = await db.query<ClaimedRow>(
    `WITH claimed AS (
       UPDATE push_deliveries d SET attempts = d.attempts + 1, next_attempt_at_ms = $3, updated_at_ms = $2
       WHERE d.id IN (
         SELECT id FROM push_deliveries p
         WHERE status = 'pending' AND NOT waiting AND platform = $1 AND next_attempt_at_ms <= $2
           AND NOT EXISTS (
             SELECT 1 FROM push_deliveries e
             WHERE e.status = 'pending' AND e.user_id = p.user_id AND e.device_id = p.device_id AND e.room_id = p.room_id
               AND (e.seq, e.id) < (p.seq, p.id)
           )
         ORDER BY next_attempt_at_ms, id LIMIT $4 FOR UPDATE SKIP LOCKED
       )
       RETURNING d.id, d.room_id, d.seq, d.kind, d.user_id, d.device_id, d.platform, d.attempts
     )
     SELECT c.id, c.room_id AS "roomId", c.seq, c.kind, c.user_id AS "userId", c.device_id AS "deviceId", c.platform, c.attempts,
       t.token, t.platform AS "tokenPlatform", (rm.user_id IS NOT NULL) AS "isMember",
       COALESCE(rr.read_seq, 0) AS "readSeq", COALESCE(dm.delivered_seq, 0) AS "deliveredSeq", COALESCE(r.encrypted, false) AS encrypted,
       b.unread AS badge, m.sender_id AS "senderId", u.name AS "senderName", m.sent_at_ms AS "sentAtMs", m.content_type AS "contentType", m.body
     FROM claimed c
     LEFT JOIN LATERAL (SELECT token, platform FROM push_tokens WHERE user_id = c.user_id AND device_id = c.device_id LIMIT 1) t ON true
     LEFT JOIN LATERAL (SELECT encrypted FROM rooms WHERE id = c.room_id LIMIT 1) r ON true
     LEFT JOIN LATERAL (SELECT user_id FROM room_members WHERE room_id = c.room_id AND user_id = c.user_id LIMIT 1) rm ON true
     LEFT JOIN LATERAL (SELECT read_seq FROM read_receipts WHERE room_id = c.room_id AND user_id = c.user_id LIMIT 1) rr ON true
     LEFT JOIN LATERAL (SELECT delivered_seq FROM delivery_marks WHERE room_id = c.room_id AND user_id = c.user_id LIMIT 1) dm ON true
     LEFT JOIN LATERAL (
       SELECT sender_id, sent_at_ms, content_type, body FROM messages WHERE c.kind = 'message' AND room_id = c.room_id AND seq = c.seq LIMIT 1
     ) m ON true
     LEFT JOIN LATERAL (SELECT name FROM users WHERE id = m.sender_id LIMIT 1) u ON true
     LEFT JOIN LATERAL (
       SELECT COALESCE(SUM(GREATEST(ur.last_seq - COALESCE(urr.read_seq, 0), 0)), 0) AS unread
       FROM room_members um JOIN rooms ur ON ur.id = um.room_id
       LEFT JOIN read_receipts urr ON urr.room_id = um.room_id AND urr.user_id = um.user_id
       WHERE um.user_id = c.user_id
     ) b ON true
     ORDER BY c.seq, c.id`,
    [options.platform, options.nowMs, options.leaseUntilMs, options.limit],
  );
  return rows.map(
    ({
      senderId,
      senderName,
      sentAtMs,
      contentType,
      body,
      token,
      tokenPlatform,
      isMember,
      readSeq,
      deliveredSeq,
      encrypted,
      badge,
      ...row
    }) => ({
      ...row,
      id: Number(row.id),
      seq: Number(row.seq),
      context: {
        token: token ?? undefined,
        tokenPlatform: tokenPlatform ?? undefined,
        isMember,
        readSeq: Number(readSeq),
        deliveredSeq: Number(deliveredSeq),
        encrypted,
        badge: Number(badge),
        message:
          senderId === null || body === null
            ? undefined
            : {
                senderId,
                senderName: senderName ?? '',
                sentAtMs: Number(sentAtMs),
                contentType: contentType ?? '',
                body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
              },
      },
    }),
  );
}

/**
 * Records the outcome of many deliveries in one transaction (each only if the row is still at the
 * claim the outcome is of): their status; for a delivery that is finished, the turn of the next
 * pending push to its device about its room; for sent message pushes, what each device now
 * shows, and the retraction of it when the room was read meanwhile (the read and the push
 * crossed); and dead tokens, deleted unless the device registered a new one since. It holds the
 * (room, user) locks that reads and newly recorded pushes take (store/room-user-locks.ts), so
 * neither a read nor a push queued behind one of these is missed.
 */
export async function settleDeliveries(db: Db, settlements: readonly Settlement[], nowMs: number): Promise<void> {
  if (settlements.length === 0) return;
  await db.transaction(async (tx) => {
    await lockRoomUsers(tx, settlements); // a shown push's (room, user) is its delivery's
    await writeSettlements(tx, settlements, nowMs);
  });
}

async function writeSettlements(db: Queryable, settlements: readonly Settlement[], nowMs: number): Promise<void> {
  const shown = settlements.flatMap((s) => (s.shown === undefined ? [] : [s.shown]));
  const dead = settlements.flatMap((s) => (s.deadToken === undefined ? [] : [s.deadToken]));
  await db.query(
    `WITH settled AS (
       UPDATE push_deliveries d SET status = k.status, outcome = k.outcome, updated_at_ms = $5,
         next_attempt_at_ms = COALESCE(k.next_attempt_at_ms, d.next_attempt_at_ms)
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $13::integer[]) AS k(id, status, outcome, next_attempt_at_ms, attempts)
       WHERE d.id = k.id AND d.status = 'pending' AND d.attempts = k.attempts
       RETURNING d.id, d.user_id, d.device_id, d.room_id, d.status
     ), finished AS (
       SELECT id, user_id, device_id, room_id FROM settled WHERE status <> 'pending'
     ), next_turn AS (
       -- This statement still sees the finished rows as pending: they are left out by id.
       UPDATE push_deliveries p SET waiting = false
       WHERE p.waiting AND p.id IN (
         SELECT (
           SELECT e.id FROM push_deliveries e
           WHERE e.status = 'pending' AND e.user_id = f.user_id AND e.device_id = f.device_id AND e.room_id = f.room_id
             AND e.id NOT IN (SELECT id FROM finished)
           ORDER BY e.seq, e.id LIMIT 1
         )
         FROM (SELECT DISTINCT user_id, device_id, room_id FROM finished) f
       )
     ), shown AS (
       SELECT k.user_id, k.device_id, k.room_id, max(k.seq) AS seq
       FROM unnest($6::text[], $7::text[], $8::text[], $9::bigint[]) AS k(user_id, device_id, room_id, seq)
       GROUP BY k.user_id, k.device_id, k.room_id
     ), showing AS (
       INSERT INTO push_shown (user_id, device_id, room_id, shown_seq) SELECT user_id, device_id, room_id, seq FROM shown
       ON CONFLICT (user_id, room_id, device_id) DO UPDATE SET shown_seq = GREATEST(push_shown.shown_seq, EXCLUDED.shown_seq)
     ), crossed AS (
       INSERT INTO push_retractions (room_id, user_id, read_seq)
       SELECT DISTINCT rr.room_id, rr.user_id, rr.read_seq
       FROM shown s JOIN read_receipts rr ON rr.room_id = s.room_id AND rr.user_id = s.user_id AND rr.read_seq >= s.seq
       ON CONFLICT (room_id, user_id) DO UPDATE SET read_seq = GREATEST(push_retractions.read_seq, EXCLUDED.read_seq)
     ), dead AS (
       DELETE FROM push_tokens t USING unnest($10::text[], $11::text[], $12::text[]) AS k(user_id, device_id, token)
       WHERE t.user_id = k.user_id AND t.device_id = k.device_id AND t.token = k.token
     )
     SELECT 1`,
    [
      settlements.map((s) => s.id),
      settlements.map((s) => s.status),
      settlements.map((s) => s.outcome),
      settlements.map((s) => s.nextAttemptAtMs ?? null),
      nowMs,
      shown.map((s) => s.userId),
      shown.map((s) => s.deviceId),
      shown.map((s) => s.roomId),
      shown.map((s) => s.seq),
      dead.map((d) => d.userId),
      dead.map((d) => d.deviceId),
      dead.map((d) => d.token),
      settlements.map((s) => s.attempts),
    ],
  );
}

/**
 * Turns queued reads into retraction pushes, in one statement: each claimed read withdraws the
 * notifications shown for its room on the user's devices up to the read seq. Returns how many
 * retraction pushes were recorded.
 */
export async function expandRetractions(
  db: Queryable,
  options: { nowMs: number; limit: number; platforms: readonly PushPlatform[] },
): Promise<number> {
  const { rows } = await db.query<{ queued: number }>(
    `WITH claimed AS (
       DELETE FROM push_retractions WHERE (room_id, user_id) IN (
         SELECT room_id, user_id FROM push_retractions LIMIT $2 FOR UPDATE SKIP LOCKED
       ) RETURNING room_id, user_id, read_seq
     ), withdrawn AS (
       DELETE FROM push_shown s USING claimed c
       WHERE s.room_id = c.room_id AND s.user_id = c.user_id AND s.shown_seq <= c.read_seq
       RETURNING s.user_id, s.device_id, s.room_id, c.read_seq
     ), queued AS (
       INSERT INTO push_deliveries (room_id, seq, kind, user_id, device_id, platform, next_attempt_at_ms, updated_at_ms)
       SELECT w.room_id, w.read_seq, 'retract', w.user_id, w.device_id, t.platform, $1, $1
       FROM withdrawn w JOIN push_tokens t ON t.user_id = w.user_id AND t.device_id = w.device_id AND t.platform = ANY($3::text[])
       ON CONFLICT (room_id, seq, kind, user_id, device_id) DO NOTHING
       RETURNING 1
     )
     SELECT count(*)::integer AS queued FROM queued`,
    [options.nowMs, options.limit, options.platforms],
  );
  return Number(rows[0]?.queued ?? 0);
}

/**
 * Forgets finished deliveries older than `beforeMs` whose message has left the outbox (while it
 * is there, the row is what keeps a second look at the message from pushing the device again).
 */
export async function sweepDeliveries(db: Queryable, beforeMs: number, limit: number): Promise<number> {
  const { rows } = await db.query(
    `DELETE FROM push_deliveries WHERE id IN (
       SELECT d.id FROM push_deliveries d
       WHERE d.status <> 'pending' AND d.updated_at_ms < $1
         AND NOT EXISTS (SELECT 1 FROM push_outbox o WHERE o.room_id = d.room_id AND o.seq = d.seq)
       LIMIT $2
     ) RETURNING 1`,
    [beforeMs, limit],
  );
  return rows.length;
}

export interface DeliveryRow {
  roomId: string;
  seq: number;
  kind: DeliveryKind;
  userId: string;
  deviceId: string;
  status: DeliveryStatus;
  attempts: number;
  outcome: string;
}

/** Every delivery of a room, oldest first (tests and operators). */
export async function listDeliveries(db: Queryable, roomId: string): Promise<DeliveryRow[]> {
  const { rows } = await db.query<DeliveryRow>(
    `SELECT room_id AS "roomId", seq, kind, user_id AS "userId", device_id AS "deviceId", status, attempts, outcome
     FROM push_deliveries WHERE room_id = $1 ORDER BY id`,
    [roomId],
  );
  return rows.map((row) => ({ ...row, seq: Number(row.seq) }));
}
