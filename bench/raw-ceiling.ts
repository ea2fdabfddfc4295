/**
 * The raw ceiling: how fast the same database takes the same rows with no broker and no
 * bridge in front, as batched multi-row INSERTs, one transaction per statement and one
 * statement at a time (the bridge's batcher also commits one batch at a time). The statement
 * is the bridge's own insert (store/append-sends.ts `insertMessages`), without the room
 * locking, membership and dedup reads that the durable path adds around it.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../store/index.js';
import { summarizeLatencies, type LatencySummary } from './stats.js';

// Kept identical to insertMessages in store/append-sends.ts (not exported there).
const INSERT_MESSAGES = `INSERT INTO messages (room_id, seq, sender_id, sender_device, client_msg_id, sent_at_ms, content_type, body)
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::bytea[])`;

const PROGRESS_INTERVAL_MS = 1_000;

export interface RawCeilingOptions {
  rooms: number;
  senderIds: readonly string[];
  deviceId: string;
  bodyBytes: number;
  rowsPerStatement: number;
  durationMs: number;
  onProgress(elapsedMs: number, rowsTotal: number, rowsLastSecond: number): void;
}

export interface RawCeilingResult {
  rows: number;
  rowsPerSec: number;
  statementLatency: LatencySummary;
}

export async function measureRawCeiling(db: Db, options: RawCeilingOptions): Promise<RawCeilingResult> {
  const nextRows = rowSource(options);
  const statementMs: number[] = [];
  const startMs = performance.now();
  const endMs = startMs + options.durationMs;
  let rows = 0;
  let progressAtMs = startMs + PROGRESS_INTERVAL_MS;
  let rowsAtProgress = 0;
  while (performance.now() < endMs) {
    const columns = nextRows(options.rowsPerStatement);
    const beforeMs = performance.now();
    await db.transaction((tx) => tx.query(INSERT_MESSAGES, columns));
    const afterMs = performance.now();
    statementMs.push(afterMs - beforeMs);
    rows += options.rowsPerStatement;
    if (afterMs >= progressAtMs) {
      options.onProgress(afterMs - startMs, rows, rows - rowsAtProgress);
      rowsAtProgress = rows;
      progressAtMs += PROGRESS_INTERVAL_MS;
    }
  }
  const elapsedSeconds = (performance.now() - startMs) / 1000;
  return { rows, rowsPerSec: rows / elapsedSeconds, statementLatency: summarizeLatencies(statementMs) };
}

/**
 * Rows shaped like the durable path's: fresh rooms (so no key collides with the platform's
 * rows), gapless seqs per room, senders cycling over the bench users, one body of the
 * benchmark's size. Returns the eight column arrays of the unnest insert.
 */
function rowSource(options: RawCeilingOptions): (count: number) => unknown[] {
  const runTag = randomBytes(4).toString('hex');
  const roomIds = Array.from({ length: options.rooms }, (_, r) => `raw-${runTag}-${r}`);
  const lastSeqs = new Array<number>(options.rooms).fill(0);
  const body = randomBytes(options.bodyBytes);
  let rowCount = 0;
  return (count) => {
    const columns: unknown[][] = [[], [], [], [], [], [], [], []];
    const [roomCol, seqCol, senderCol, deviceCol, idCol, sentAtCol, typeCol, bodyCol] = columns as [
      unknown[],
      unknown[],
      unknown[],
      unknown[],
      unknown[],
      unknown[],
      unknown[],
      unknown[],
    ];
    const nowMs = Date.now();
    for (let i = 0; i < count; i++, rowCount++) {
      const room = rowCount % options.rooms;
      roomCol.push(roomIds[room]);
      seqCol.push(++lastSeqs[room]!);
      senderCol.push(options.senderIds[rowCount % options.senderIds.length]);
      deviceCol.push(options.deviceId);
      idCol.push(`r${rowCount}`);
      sentAtCol.push(nowMs);
      typeCol.push('application/octet-stream');
      bodyCol.push(body);
    }
    return columns;
  };
}
