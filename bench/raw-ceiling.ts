/**
 * The raw ceiling: how fast the same database takes the same rows with no broker and no
 * bridge in front, as batched multi-row INSERTs, one transaction per statement and one
 * statement at a time (the bridge's batcher also commits one batch at a time). The statement
 * is the bridge's own insert (store/append-sends.ts `insertMessages`), without the room
 * locking, membership and dedup reads that the durable path adds around it.
 */
import { randomBytes } from 'node:crypto';
import type { Message } from '../schema/index.js';
import { insertMessages, type Db } from '../store/index.js';
import { summarizeLatencies, type LatencySummary } from './stats.js';

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
    const { messages, lastSeqs } = nextRows(options.rowsPerStatement);
    const beforeMs = performance.now();
    await db.transaction((tx) => insertMessages(tx, messages, lastSeqs));
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
 * rows, and the last_seq update of the statement finds no room row to move), gapless seqs per
 * room, senders cycling over the bench users, one body of the benchmark's size.
 */
function rowSource(options: RawCeilingOptions): (count: number) => { messages: Message[]; lastSeqs: Map<string, number> } {
  const runTag = randomBytes(4).toString('hex');
  const roomIds = Array.from({ length: options.rooms }, (_, r) => `raw-${runTag}-${r}`);
  const lastSeqs = new Map<string, number>(roomIds.map((id) => [id, 0]));
  const body = randomBytes(options.bodyBytes);
  let rowCount = 0;
  return (count) => {
    const sentAtMs = Date.now();
    const messages = Array.from({ length: count }, (): Message => {
      const roomId = roomIds[rowCount % options.rooms]!;
      const seq = lastSeqs.get(roomId)! + 1;
      lastSeqs.set(roomId, seq);
      const message: Message = {
        roomId,
        seq,
        epoch: 1,
        senderId: options.senderIds[rowCount % options.senderIds.length]!,
        senderDevice: options.deviceId,
        clientMsgId: `r${rowCount}`,
        sentAtMs,
        contentType: 'application/octet-stream',
        body,
      };
      rowCount += 1;
      return message;
    });
    return { messages, lastSeqs: new Map(lastSeqs) };
  };
}
