/**
 * Coalesces per-(room, user) high-water marks (read receipts, delivery acknowledgements) into
 * few writes (docs/signals.md#read-receipts): a burst from a user scrolling a room, or a device
 * acknowledging a room's backlog, is one statement. Marks are merged in memory, keeping the maximum
 * per (room, user), and flushed every `flushIntervalMs` (or sooner when `maxPending` are waiting).
 * Until a mark is written, `peek` answers it, so a reader in this process (the push worker)
 * never acts on an older value than one already received; a failed write keeps its marks for
 * the next flush.
 */
import type { Logger } from '../lib/log.js';

export interface RoomUserMark {
  roomId: string;
  userId: string;
}

export interface MarkWriter<M extends RoomUserMark> {
  /** Handed on alone, as the broker's receipt and delivery sinks. */
  record: (mark: M) => void;
  /** The highest mark recorded for (room, user) and not yet written; 0 when none. */
  peek(roomId: string, userId: string): number;
  /** Writes everything recorded so far. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface MarkWriterDeps<M> {
  /** One statement for many marks; must keep the maximum (an older mark never lowers a newer one). */
  write(marks: readonly M[]): Promise<void>;
  log: Logger;
  /** Called after each successful write. */
  onWritten?: (marks: readonly M[]) => void;
}

export function createMarkWriter<M extends RoomUserMark>(
  deps: MarkWriterDeps<M>,
  options: { flushIntervalMs: number; maxPending: number; seqOf(mark: M): number; what: string },
): MarkWriter<M> {
  const keyOf = (roomId: string, userId: string) => `${roomId}\u0000${userId}`;
  let pending = new Map<string, M>();
  /** Recorded and not yet written: pending, or in a write still running. */
  const unwritten = new Map<string, M>();
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let closed = false;
  /** The last write failed: wait for the retry timer rather than write at every maxPending (the database is likely down). */
  let isRetrying = false;

  function forgetWritten(marks: readonly M[]): void {
    for (const mark of marks) {
      const key = keyOf(mark.roomId, mark.userId);
      const current = unwritten.get(key);
      if (current !== undefined && options.seqOf(current) <= options.seqOf(mark)) unwritten.delete(key);
    }
  }

  function flush(): Promise<void> {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    isRetrying = false;
    const marks = [...pending.values()];
    pending = new Map();
    if (marks.length === 0) return writing;
    // Writes run one after another, so a later maximum never lands before an earlier one.
    writing = writing.then(async () => {
      try {
        await deps.write(marks);
      } catch (error) {
        const err = (error as Error).message;
        if (closed) {
          deps.log.warn({ err, marks: marks.length }, `${options.what} not stored at shutdown: dropped (clients send them again)`);
          return;
        }
        // Still unwritten (peek keeps answering them): they go again after a flush interval.
        deps.log.warn({ err, marks: marks.length }, `${options.what} not stored, retried in ${options.flushIntervalMs} ms`);
        for (const mark of marks) keepHighest(pending, mark);
        isRetrying = true;
        timer ??= setTimeout(() => void flush(), options.flushIntervalMs);
        return;
      }
      forgetWritten(marks);
      try {
        deps.onWritten?.(marks);
      } catch (error) {
        deps.log.warn({ err: (error as Error).message }, `after writing ${options.what}`);
      }
    });
    return writing;
  }

  /** Keeps `mark` in `marks` unless a higher one for its (room, user) is there already. */
  function keepHighest(marks: Map<string, M>, mark: M): void {
    const key = keyOf(mark.roomId, mark.userId);
    const current = marks.get(key);
    if (current === undefined || options.seqOf(current) < options.seqOf(mark)) marks.set(key, mark);
  }

  return {
    record(mark) {
      if (closed) return; // shutting down: a mark is a hint the client repeats, not a promise
      keepHighest(pending, mark);
      keepHighest(unwritten, mark);
      if (pending.size >= options.maxPending && !isRetrying) void flush();
      else timer ??= setTimeout(() => void flush(), options.flushIntervalMs);
    },
    peek(roomId, userId) {
      const mark = unwritten.get(keyOf(roomId, userId));
      return mark === undefined ? 0 : options.seqOf(mark);
    },
    flush,
    async close() {
      closed = true;
      await flush();
    },
  };
}
