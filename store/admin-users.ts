/**
 * Users as the admin sees them: pages of users with filters and counts, and deletion.
 *
 * Deleting a user keeps a tombstone row: its messages stay in every room's history as they were
 * (removing them would leave gaps in the seqs, and the other members hold copies anyway), still
 * naming it as their sender; its name is erased; its tokens are denied; it leaves every room
 * (each a membership change with its member_version bump, direct rooms included); its push
 * tokens, end-to-end keys, read and delivery marks and pending pushes are deleted.
 */
import { ALL_DEVICES } from '../schema/index.js';
import type { Db, Queryable } from './db.js';
import { storeError } from './errors.js';
import { denyTokens } from './token-denials.js';

export interface UserRecord {
  id: string;
  /** '' once deleted. */
  name: string;
  createdAtMs: number;
  deletedAtMs: number | null;
  /** Rooms the user is a member of. */
  roomCount: number;
}

export type DeletedFilter = 'exclude' | 'include' | 'only';

export interface UserQuery {
  limit: number;
  /** Keyset: users with an id after this one. */
  after?: string;
  /** Users whose name starts with this, ignoring case. */
  namePrefix?: string;
  deleted: DeletedFilter;
}

export interface UserPage {
  users: UserRecord[];
  nextAfter: string | undefined;
  /** Users matching the filters, on every page. */
  total: number;
}

const USER_COLUMNS = `u.id, u.name, (extract(epoch FROM u.created_at) * 1000)::bigint AS "createdAtMs", u.deleted_at_ms AS "deletedAtMs",
  (SELECT count(*) FROM room_members m WHERE m.user_id = u.id) AS "roomCount"`;

/** The filters of a user query as SQL on `u`, with parameters $1 (name prefix) and $2 (deleted filter). */
const USER_FILTER = `($1::text IS NULL OR starts_with(lower(u.name), lower($1)))
  AND ($2::text = 'include' OR ($2::text = 'only') = (u.deleted_at_ms IS NOT NULL))`;

const toRecord = (row: UserRecord): UserRecord => ({
  ...row,
  createdAtMs: Number(row.createdAtMs),
  deletedAtMs: row.deletedAtMs === null ? null : Number(row.deletedAtMs),
  roomCount: Number(row.roomCount),
});

/** A page of users in id order (keyset pagination, like a user's room list). */
export async function listUsers(db: Queryable, query: UserQuery): Promise<UserPage> {
  const filter = [query.namePrefix ?? null, query.deleted];
  const [{ rows }, counted] = await Promise.all([
    db.query<UserRecord>(
      `SELECT ${USER_COLUMNS} FROM users u WHERE ${USER_FILTER} AND ($3::text IS NULL OR u.id > $3) ORDER BY u.id LIMIT $4`,
      [...filter, query.after ?? null, query.limit + 1],
    ),
    db.query<{ total: number }>(`SELECT count(*) AS total FROM users u WHERE ${USER_FILTER}`, filter),
  ]);
  const more = rows.length > query.limit;
  const users = (more ? rows.slice(0, query.limit) : rows).map(toRecord);
  return { users, nextAfter: more ? users[users.length - 1]!.id : undefined, total: Number(counted.rows[0]?.total ?? 0) };
}

/** A user, deleted or not. */
export async function getUserRecord(db: Queryable, userId: string): Promise<UserRecord | undefined> {
  const { rows } = await db.query<UserRecord>(`SELECT ${USER_COLUMNS} FROM users u WHERE u.id = $1`, [userId]);
  return rows[0] === undefined ? undefined : toRecord(rows[0]);
}

export interface UserDeletion {
  userId: string;
  deletedAtMs: number;
  /** False when an earlier call deleted the user (this one only finished what that one left). */
  deletedNow: boolean;
  /** The rooms it left, each with its member_version after the change: announce each. */
  roomsLeft: { roomId: string; memberVersion: number }[];
  pushTokensDeleted: number;
  keyDevicesDeleted: number;
}

/** Rooms left per transaction: a user in thousands of rooms does not hold thousands of room locks at once. */
const ROOMS_PER_TRANSACTION = 200;

/**
 * Deletes a user (see the header). Idempotent: called again, it finishes what a failed call
 * left (memberships) and changes nothing else. Throws ERR_USER_NOT_FOUND for an unknown id.
 */
export async function deleteUser(db: Db, userId: string, nowMs: number): Promise<UserDeletion> {
  const erased = await eraseUser(db, userId, nowMs);
  const roomsLeft: UserDeletion['roomsLeft'] = [];
  for (;;) {
    const left = await leaveRooms(db, userId, ROOMS_PER_TRANSACTION);
    roomsLeft.push(...left);
    if (left.length < ROOMS_PER_TRANSACTION) break;
  }
  return { userId, ...erased, roomsLeft };
}

/** The tombstone, the deny list entry and the user's data, in one transaction. */
async function eraseUser(
  db: Db,
  userId: string,
  nowMs: number,
): Promise<Pick<UserDeletion, 'deletedAtMs' | 'deletedNow' | 'pushTokensDeleted' | 'keyDevicesDeleted'>> {
  return db.transaction(async (tx) => {
    // FOR UPDATE conflicts with the key-share lock of a membership being added (missingUserIds): that one commits first, or sees the tombstone.
    const { rows } = await tx.query<{ deletedAtMs: number | null }>(
      'SELECT deleted_at_ms AS "deletedAtMs" FROM users WHERE id = $1 FOR UPDATE',
      [userId],
    );
    const user = rows[0];
    if (user === undefined) throw storeError('ERR_USER_NOT_FOUND', { userId });
    if (user.deletedAtMs !== null)
      return { deletedAtMs: Number(user.deletedAtMs), deletedNow: false, pushTokensDeleted: 0, keyDevicesDeleted: 0 };
    await tx.query(`UPDATE users SET deleted_at_ms = $2, name = '' WHERE id = $1`, [userId, nowMs]);
    await denyTokens(tx, { userId, deviceId: ALL_DEVICES, notBeforeMs: nowMs });
    const count = async (sql: string) => (await tx.query(sql, [userId])).rows.length;
    const pushTokensDeleted = await count('DELETE FROM push_tokens WHERE user_id = $1 RETURNING 1');
    const keyDevicesDeleted = await count('DELETE FROM device_keys WHERE user_id = $1 RETURNING 1'); // one-time prekeys cascade
    for (const table of ['read_receipts', 'delivery_marks', 'push_shown', 'push_retractions']) {
      await tx.query(`DELETE FROM ${table} WHERE user_id = $1`, [userId]);
    }
    await tx.query(`DELETE FROM push_deliveries WHERE user_id = $1 AND status = 'pending'`, [userId]);
    return { deletedAtMs: nowMs, deletedNow: true, pushTokensDeleted, keyDevicesDeleted };
  });
}

/**
 * Removes the user from up to `limit` of its rooms, locking them in id order as a send batch
 * does (no deadlock with one), each with a member_version bump: a send racing the removal is
 * Nacked NOT_MEMBER, or stored before it.
 */
async function leaveRooms(db: Db, userId: string, limit: number): Promise<UserDeletion['roomsLeft']> {
  return db.transaction(async (tx) => {
    const { rows: locked } = await tx.query<{ id: string }>(
      `SELECT r.id FROM rooms r WHERE r.id IN (SELECT room_id FROM room_members WHERE user_id = $1) ORDER BY r.id LIMIT $2 FOR UPDATE OF r`,
      [userId, limit],
    );
    const roomIds = locked.map((row) => row.id);
    if (roomIds.length === 0) return [];
    await tx.query('DELETE FROM room_members WHERE user_id = $1 AND room_id = ANY($2::text[])', [userId, roomIds]);
    const { rows } = await tx.query<{ roomId: string; memberVersion: number }>(
      `UPDATE rooms SET member_version = member_version + 1 WHERE id = ANY($1::text[])
       RETURNING id AS "roomId", member_version AS "memberVersion"`,
      [roomIds],
    );
    return rows.sort((a, b) => (a.roomId < b.roomId ? -1 : 1));
  });
}
