/** Rooms as the admin sees them: every room, a page at a time, with filters and counts. */
import type { Queryable } from './db.js';
import type { Room, RoomKind } from './rooms.js';

export interface RoomRecord extends Room {
  memberCount: number;
}

export interface RoomQuery {
  limit: number;
  /** Keyset: rooms with an id after this one. */
  after?: string;
  /** Rooms whose name starts with this, ignoring case. */
  namePrefix?: string;
  kind?: RoomKind;
  /** Rooms this user is a member of. */
  memberId?: string;
}

export interface RoomRecordPage {
  rooms: RoomRecord[];
  nextAfter: string | undefined;
  /** Rooms matching the filters, on every page. */
  total: number;
}

/** The filters as SQL on `r`, with parameters $1 (name prefix), $2 (kind), $3 (member). */
const ROOM_FILTER = `($1::text IS NULL OR starts_with(lower(r.name), lower($1)))
  AND ($2::text IS NULL OR r.kind = $2)
  AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM room_members m WHERE m.room_id = r.id AND m.user_id = $3))`;

/** A page of rooms in id order. */
export async function listRooms(db: Queryable, query: RoomQuery): Promise<RoomRecordPage> {
  const filter = [query.namePrefix ?? null, query.kind ?? null, query.memberId ?? null];
  const [{ rows }, counted] = await Promise.all([
    db.query<RoomRecord>(
      `SELECT r.id, r.kind, r.name, r.description, r.epoch, r.last_seq AS "lastSeq", r.history_floor AS "historyFloor",
         r.member_version AS "memberVersion", r.meta_version AS "metaVersion", r.encrypted,
         (SELECT count(*) FROM room_members m WHERE m.room_id = r.id) AS "memberCount"
       FROM rooms r WHERE ${ROOM_FILTER} AND ($4::text IS NULL OR r.id > $4) ORDER BY r.id LIMIT $5`,
      [...filter, query.after ?? null, query.limit + 1],
    ),
    db.query<{ total: number }>(`SELECT count(*) AS total FROM rooms r WHERE ${ROOM_FILTER}`, filter),
  ]);
  const more = rows.length > query.limit;
  const rooms = (more ? rows.slice(0, query.limit) : rows).map((row) => ({
    ...row,
    lastSeq: Number(row.lastSeq),
    historyFloor: Number(row.historyFloor),
    memberCount: Number(row.memberCount),
  }));
  return { rooms, nextAfter: more ? rooms[rooms.length - 1]!.id : undefined, total: Number(counted.rows[0]?.total ?? 0) };
}

export interface PlatformCounts {
  users: number;
  deletedUsers: number;
  rooms: number;
  /** Messages ever sequenced (the sum of every room's last seq; retention does not lower it). */
  messages: number;
  /** Messages the push worker still has to consider. */
  pushOutbox: number;
  /** Pushes recorded and not yet settled (waiting for their turn, or retrying). */
  pushPending: number;
  /** Devices (and deleted users) on the token deny list. */
  tokenDenials: number;
}

/** Platform-wide counts for the admin (`chatctl stats`); each a full count, so meant for people, not for scraping. */
export async function platformCounts(db: Queryable): Promise<PlatformCounts> {
  const { rows } = await db.query<Record<keyof PlatformCounts, number>>(
    `SELECT
       (SELECT count(*) FROM users WHERE deleted_at_ms IS NULL) AS users,
       (SELECT count(*) FROM users WHERE deleted_at_ms IS NOT NULL) AS "deletedUsers",
       (SELECT count(*) FROM rooms) AS rooms,
       (SELECT COALESCE(sum(last_seq), 0) FROM rooms) AS messages,
       (SELECT count(*) FROM push_outbox) AS "pushOutbox",
       (SELECT count(*) FROM push_deliveries WHERE status = 'pending') AS "pushPending",
       (SELECT count(*) FROM token_denials) AS "tokenDenials"`,
  );
  const row = rows[0]!;
  const count = (key: keyof PlatformCounts): number => Number(row[key]);
  return {
    users: count('users'),
    deletedUsers: count('deletedUsers'),
    rooms: count('rooms'),
    messages: count('messages'),
    pushOutbox: count('pushOutbox'),
    pushPending: count('pushPending'),
    tokenDenials: count('tokenDenials'),
  };
}
