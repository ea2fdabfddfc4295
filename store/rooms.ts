import { randomInt } from 'node:crypto';
import { newId } from '../lib/ids.js';
import type { Db, Queryable } from './db.js';
import { storeError } from './errors.js';
import { missingUserIds } from './users.js';

export type RoomKind = 'group' | 'direct';

export interface Room {
  id: string;
  kind: RoomKind;
  name: string;
  description: string;
  epoch: number;
  lastSeq: number;
  historyFloor: number;
  memberVersion: number;
  metaVersion: number;
  /** End-to-end encrypted: the server never reads a body, and pushes carry none. */
  encrypted: boolean;
}

export interface RoomWithMembers extends Room {
  memberIds: string[];
}

export interface MembershipChange {
  memberVersion: number;
  /** False when the call changed nothing (adding a member twice, removing a non-member). */
  changed: boolean;
}

const ROOM_COLUMNS = `id, kind, name, description, epoch, last_seq AS "lastSeq", history_floor AS "historyFloor",
  member_version AS "memberVersion", meta_version AS "metaVersion", encrypted`;

/** A fresh epoch for a new (or reset) history; any positive int32 that differs from the old one. */
const newEpoch = (): number => randomInt(1, 2 ** 31 - 1);

export async function createRoom(
  db: Db,
  input: { id?: string; kind: RoomKind; name: string; description?: string; encrypted?: boolean; memberIds: readonly string[] },
): Promise<RoomWithMembers> {
  const memberIds = [...new Set(input.memberIds)];
  if (input.kind === 'direct' && memberIds.length !== 2) {
    throw storeError('ERR_ROOM_DIRECT_IMMUTABLE', { memberCount: memberIds.length });
  }
  return db.transaction(async (tx) => {
    const missing = await missingUserIds(tx, memberIds);
    if (missing.length > 0) throw storeError('ERR_USER_NOT_FOUND', { userIds: missing });
    const { rows } = await tx.query<Room>(
      `INSERT INTO rooms (id, kind, name, description, epoch, encrypted) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${ROOM_COLUMNS}`,
      [input.id ?? newId(), input.kind, input.name, input.description ?? '', newEpoch(), input.encrypted ?? false],
    );
    const room = rows[0]!;
    await tx.query('INSERT INTO room_members (room_id, user_id) SELECT $1, unnest($2::text[])', [room.id, memberIds]);
    return { ...room, memberIds };
  });
}

export async function getRoom(db: Queryable, roomId: string): Promise<RoomWithMembers | undefined> {
  const { rows } = await db.query<Room & { memberIds: string[] | null }>(
    `SELECT ${ROOM_COLUMNS},
       (SELECT array_agg(user_id ORDER BY joined_at, user_id) FROM room_members WHERE room_id = rooms.id) AS "memberIds"
     FROM rooms WHERE id = $1`,
    [roomId],
  );
  const row = rows[0];
  return row === undefined ? undefined : { ...row, memberIds: row.memberIds ?? [] };
}

/**
 * Members and the version they belong to, read together, with the room's last seq (the broker's
 * membership cache loads this; it clamps relayed read receipts to the last seq).
 */
export async function getMembership(
  db: Queryable,
  roomId: string,
): Promise<{ memberVersion: number; memberIds: string[]; lastSeq: number } | undefined> {
  const room = await getRoom(db, roomId);
  return room === undefined ? undefined : { memberVersion: room.memberVersion, memberIds: room.memberIds, lastSeq: Number(room.lastSeq) };
}

export async function isMember(db: Queryable, roomId: string, userId: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM room_members WHERE room_id = $1 AND user_id = $2', [roomId, userId]);
  return rows.length > 0;
}

export async function sharesRoom(db: Queryable, userId: string, otherUserId: string): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 FROM room_members a JOIN room_members b ON a.room_id = b.room_id
     WHERE a.user_id = $1 AND b.user_id = $2 LIMIT 1`,
    [userId, otherUserId],
  );
  return rows.length > 0;
}

/** Up to `limit` rooms both users are members of (the broker's presence forward guard starts from these). */
export async function sharedRoomIds(db: Queryable, userId: string, otherUserId: string, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ roomId: string }>(
    `SELECT a.room_id AS "roomId" FROM room_members a JOIN room_members b ON a.room_id = b.room_id
     WHERE a.user_id = $1 AND b.user_id = $2 ORDER BY a.room_id LIMIT $3`,
    [userId, otherUserId, limit],
  );
  return rows.map((row) => row.roomId);
}

export interface RoomPage {
  rooms: Room[];
  /** The id to pass as `after` for the next page; undefined on the last page. */
  nextAfter: string | undefined;
}

/**
 * A page of a user's rooms in id order, after the room id `after` (keyset pagination: a page
 * costs the same wherever it starts, and rooms joined meanwhile never shift the pages). The
 * user's membership rows come from `room_members_by_user`; one extra row tells whether more follow.
 */
export async function listRoomsOfUser(db: Queryable, userId: string, page: { after?: string; limit: number }): Promise<RoomPage> {
  const { rows } = await db.query<Room>(
    `SELECT ${ROOM_COLUMNS} FROM rooms
     WHERE id IN (SELECT room_id FROM room_members WHERE user_id = $1 AND ($2::text IS NULL OR room_id > $2))
     ORDER BY id LIMIT $3`,
    [userId, page.after ?? null, page.limit + 1],
  );
  const more = rows.length > page.limit;
  const rooms = more ? rows.slice(0, page.limit) : rows;
  return { rooms, nextAfter: more ? rooms[rooms.length - 1]!.id : undefined };
}

/** Every end-to-end-encrypted room of `userId` with its versions (whom a key change of the user's devices concerns). */
export async function encryptedRoomsOfUser(
  db: Queryable,
  userId: string,
): Promise<{ id: string; memberVersion: number; metaVersion: number }[]> {
  const { rows } = await db.query<{ id: string; memberVersion: number; metaVersion: number }>(
    `SELECT r.id, r.member_version AS "memberVersion", r.meta_version AS "metaVersion" FROM rooms r JOIN room_members m ON m.room_id = r.id
     WHERE m.user_id = $1 AND r.encrypted ORDER BY r.id`,
    [userId],
  );
  return rows;
}

/**
 * Changes name/description. With `ifMetaVersion`, only when the room is still at that version
 * (optimistic concurrency for If-Match); without it, last write wins in commit order.
 */
export async function updateRoomMetadata(
  db: Queryable,
  roomId: string,
  changes: { name?: string; description?: string },
  ifMetaVersion?: number,
): Promise<Room> {
  const { rows } = await db.query<Room>(
    `UPDATE rooms SET name = COALESCE($2, name), description = COALESCE($3, description), meta_version = meta_version + 1
     WHERE id = $1 AND ($4::integer IS NULL OR meta_version = $4) RETURNING ${ROOM_COLUMNS}`,
    [roomId, changes.name ?? null, changes.description ?? null, ifMetaVersion ?? null],
  );
  const updated = rows[0];
  if (updated !== undefined) return updated;
  const exists = (await db.query('SELECT 1 FROM rooms WHERE id = $1', [roomId])).rows.length > 0;
  throw exists ? storeError('ERR_ROOM_PRECONDITION_FAILED', { roomId }) : storeError('ERR_ROOM_NOT_FOUND', { roomId });
}

export function addMember(db: Db, roomId: string, userId: string): Promise<MembershipChange> {
  return changeMembership(db, roomId, userId, 'add');
}

export function removeMember(db: Db, roomId: string, userId: string): Promise<MembershipChange> {
  return changeMembership(db, roomId, userId, 'remove');
}

/** Every effective change bumps member_version in the same transaction (docs/durable-path.md#group-permission-race). */
async function changeMembership(db: Db, roomId: string, userId: string, change: 'add' | 'remove'): Promise<MembershipChange> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ kind: RoomKind; memberVersion: number }>(
      'SELECT kind, member_version AS "memberVersion" FROM rooms WHERE id = $1 FOR UPDATE',
      [roomId],
    );
    const room = rows[0];
    if (room === undefined) throw storeError('ERR_ROOM_NOT_FOUND', { roomId });
    if (room.kind === 'direct') throw storeError('ERR_ROOM_DIRECT_IMMUTABLE', { roomId });
    if (change === 'add' && (await missingUserIds(tx, [userId])).length > 0) throw storeError('ERR_USER_NOT_FOUND', { userId });
    const affected =
      change === 'add'
        ? await tx.query('INSERT INTO room_members (room_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1', [roomId, userId])
        : await tx.query('DELETE FROM room_members WHERE room_id = $1 AND user_id = $2 RETURNING 1', [roomId, userId]);
    if (affected.rows.length === 0) return { memberVersion: room.memberVersion, changed: false };
    const bumped = await tx.query<{ memberVersion: number }>(
      'UPDATE rooms SET member_version = member_version + 1 WHERE id = $1 RETURNING member_version AS "memberVersion"',
      [roomId],
    );
    return { memberVersion: bumped.rows[0]!.memberVersion, changed: true };
  });
}
