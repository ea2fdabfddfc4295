/**
 * Groups concurrent submissions into batches for one `run` at a time
 * (docs/durable-path.md#batching: never one round trip per message under load). When idle, a batch
 * waits at most `maxWaitMs` to fill; while a batch runs, the next one fills by itself and starts
 * the moment the first ends, so under load batches grow with the database's latency instead of
 * adding to it.
 */
export interface BatcherOptions<I, O> {
  maxItems: number;
  maxWaitMs: number;
  /** Must resolve with one result per item, in order; a rejection fails the whole batch. */
  run(items: I[]): Promise<O[]>;
}

export interface Batcher<I, O> {
  submit(item: I): Promise<O>;
  /** Resolves once everything submitted so far has been run. */
  drain(): Promise<void>;
}

interface Waiting<I, O> {
  item: I;
  resolve(result: O): void;
  reject(error: unknown): void;
}

export function createBatcher<I, O>(options: BatcherOptions<I, O>): Batcher<I, O> {
  let queue: Waiting<I, O>[] = [];
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  function schedule(): void {
    if (running !== undefined || queue.length === 0) return;
    if (queue.length >= options.maxItems) return flush();
    timer ??= setTimeout(flush, options.maxWaitMs);
  }

  function flush(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (running !== undefined || queue.length === 0) return;
    const batch = queue.slice(0, options.maxItems);
    queue = queue.slice(batch.length);
    running = runBatch(batch).finally(() => {
      running = undefined;
      if (queue.length > 0) flush(); // these waited for the whole previous batch already
    });
  }

  async function runBatch(batch: Waiting<I, O>[]): Promise<void> {
    try {
      const results = await options.run(batch.map((w) => w.item));
      if (results.length !== batch.length) throw new Error(`batch run returned ${results.length} results for ${batch.length} items`);
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }

  return {
    submit(item) {
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        schedule();
      });
    },
    async drain() {
      while (running !== undefined || queue.length > 0) {
        flush();
        await running;
      }
    },
  };
}
