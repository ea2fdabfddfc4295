/**
 * Coalesces read receipts (DESIGN §7): a burst of receipts from a user scrolling a room is one
 * write. Marks are merged in memory, keeping the maximum per (room, user), and flushed in one
 * statement every `flushIntervalMs` (or sooner when `maxPending` are waiting).
 */
import type { Logger } from '../lib/log.js';
import { recordReadMarks, type Db, type ReadMark } from '../store/index.js';

export interface ReceiptWriter {
  record(mark: ReadMark): void;
  /** Writes everything recorded so far. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function createReceiptWriter(
  deps: { db: Db; log: Logger },
  options: { flushIntervalMs: number; maxPending: number },
): ReceiptWriter {
  let pending = new Map<string, ReadMark>();
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let closed = false;

  function flush(): Promise<void> {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const marks = [...pending.values()];
    pending = new Map();
    // Writes run one after another, so a later maximum never lands before an earlier one.
    writing = writing.then(() =>
      recordReadMarks(deps.db, marks).catch((error: unknown) =>
        deps.log.warn({ err: (error as Error).message, marks: marks.length }, 'read receipts not stored'),
      ),
    );
    return writing;
  }

  return {
    record(mark) {
      if (closed) return; // shutting down: a receipt is a hint the client repeats, not a promise
      const key = `${mark.roomId}\u0000${mark.userId}`;
      const current = pending.get(key);
      if (current === undefined || current.readSeq < mark.readSeq) pending.set(key, mark);
      if (pending.size >= options.maxPending) void flush();
      else timer ??= setTimeout(() => void flush(), options.flushIntervalMs);
    },
    flush,
    async close() {
      closed = true;
      await flush();
    },
  };
}
