import { MESSAGE_COLUMNS, normalizeMessage } from './append-sends.js';
import type { Db, Queryable } from './db.js';
import { storeError } from './errors.js';
import type { Message } from '../schema/index.js';

export const HISTORY_MAX_LIMIT = 500;

export interface HistoryQuery {
  /** Messages with seq > after, ascending (gap-fill and catch-up). */
  after?: number;
  /** Messages with seq < before, the newest `limit` of them, still returned ascending (paging back). */
  before?: number;
  limit: number;
}

export interface HistoryPage {
  messages: Message[];
  lastSeq: number;
  epoch: number;
  historyFloor: number;
}

/**
 * A page of a room's history. A range that reaches below the retention floor is refused
 * with ERR_HISTORY_TRUNCATED instead of silently returning a shorter list
 * (docs/durable-path.md#history-truncation).
 */
export async function getHistory(db: Queryable, roomId: string, query: HistoryQuery): Promise<HistoryPage> {
  const { rows: roomRows } = await db.query<{ lastSeq: number; epoch: number; historyFloor: number }>(
    'SELECT last_seq AS "lastSeq", epoch, history_floor AS "historyFloor" FROM rooms WHERE id = $1',
    [roomId],
  );
  const room = roomRows[0];
  if (room === undefined) throw storeError('ERR_ROOM_NOT_FOUND', { roomId });
  const limit = Math.min(Math.max(query.limit, 1), HISTORY_MAX_LIMIT);
  const pagingBack = query.before !== undefined && query.after === undefined;
  const after = query.after ?? 0;
  const before = query.before ?? Number.MAX_SAFE_INTEGER;
  // Gap-fill from below the floor would miss messages; paging back may end at the floor
  // (the answer carries historyFloor) but must not start at or below it.
  const reachesBelowFloor = pagingBack ? before - 1 <= room.historyFloor && room.historyFloor > 0 : after < room.historyFloor;
  if (reachesBelowFloor) {
    throw storeError('ERR_HISTORY_TRUNCATED', { roomId, historyFloor: room.historyFloor, epoch: room.epoch });
  }
  const { rows } = await db.query<Message>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN rooms r ON r.id = m.room_id
     WHERE m.room_id = $1 AND m.seq > $2 AND m.seq < $3
     ORDER BY m.seq ${pagingBack ? 'DESC' : 'ASC'} LIMIT $4`,
    [roomId, after, before, limit],
  );
  const messages = rows.map(normalizeMessage);
  if (pagingBack) messages.reverse();
  return { messages, lastSeq: room.lastSeq, epoch: room.epoch, historyFloor: room.historyFloor };
}

/** Retention: removes messages with seq <= uptoSeq and raises the floor so gap-fill below it says "too old". */
export async function truncateHistory(db: Db, roomId: string, uptoSeq: number): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('UPDATE rooms SET history_floor = GREATEST(history_floor, $2) WHERE id = $1', [roomId, uptoSeq]);
    await tx.query('DELETE FROM messages WHERE room_id = $1 AND seq <= $2', [roomId, uptoSeq]);
  });
}
