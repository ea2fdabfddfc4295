import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBatcher } from '../../bridge/batcher.js';

interface RunCall<I, O> {
  items: I[];
  resolve(results: O[]): void;
  reject(error: unknown): void;
}

/** A `run` that stays pending until the test settles it, counting how many are in flight. */
function controlledRun<I, O>() {
  const calls: RunCall<I, O>[] = [];
  const pending: RunCall<I, O>[] = [];
  let active = 0;
  let maxActive = 0;
  const run = (items: I[]): Promise<O[]> =>
    new Promise<O[]>((resolve, reject) => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      const call: RunCall<I, O> = {
        items: [...items],
        resolve: (results) => {
          active -= 1;
          pending.splice(pending.indexOf(call), 1);
          resolve(results);
        },
        reject: (error) => {
          active -= 1;
          pending.splice(pending.indexOf(call), 1);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      };
      calls.push(call);
      pending.push(call);
    });
  return {
    run,
    calls,
    pending,
    get maxActive() {
      return maxActive;
    },
  };
}

/** Lets every queued promise continuation run (setImmediate is left real below). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Tracks whether a promise has settled, without awaiting it. */
function track<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

const double = (items: number[]): number[] => items.map((n) => n * 2);

describe('createBatcher', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits maxWaitMs for a batch to fill when idle, then runs it', async () => {
    const h = controlledRun<number, number>();
    const batcher = createBatcher({ maxItems: 10, maxWaitMs: 5, run: h.run });
    void batcher.submit(1);
    void batcher.submit(2);
    await vi.advanceTimersByTimeAsync(4);
    expect(h.calls).toHaveLength(0);
    void batcher.submit(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.calls.map((c) => c.items)).toEqual([[1, 2, 3]]);
  });

  it('starts a full batch at once, without waiting for the timer', () => {
    const h = controlledRun<number, number>();
    const batcher = createBatcher({ maxItems: 3, maxWaitMs: 1_000, run: h.run });
    for (const n of [1, 2, 3]) void batcher.submit(n);
    expect(h.calls.map((c) => c.items)).toEqual([[1, 2, 3]]);
  });

  it('starts a batch of one at once when maxItems is 1', () => {
    const h = controlledRun<number, number>();
    const batcher = createBatcher({ maxItems: 1, maxWaitMs: 1_000, run: h.run });
    void batcher.submit(7);
    expect(h.calls.map((c) => c.items)).toEqual([[7]]);
  });

  it('resolves each submitter with the result at its own position', async () => {
    const h = controlledRun<string, string>();
    const batcher = createBatcher({ maxItems: 10, maxWaitMs: 1, run: h.run });
    const results = ['a', 'b', 'c'].map((item) => batcher.submit(item));
    await vi.advanceTimersByTimeAsync(1);
    h.calls[0]!.resolve(['result of a', 'result of b', 'result of c']);
    await expect(Promise.all(results)).resolves.toEqual(['result of a', 'result of b', 'result of c']);
  });

  it('never gives run more than maxItems items', async () => {
    const h = controlledRun<number, number>();
    const batcher = createBatcher({ maxItems: 3, maxWaitMs: 1, run: h.run });
    const results = [1, 2, 3, 4, 5, 6, 7].map((n) => batcher.submit(n));
    await vi.advanceTimersByTimeAsync(1);
    while (h.pending.length > 0) {
      h.pending[0]!.resolve(double(h.pending[0]!.items));
      await settle();
    }
    expect(h.calls.map((c) => c.items)).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    await expect(Promise.all(results)).resolves.toEqual([2, 4, 6, 8, 10, 12, 14]);
  });

  it('puts items submitted while a run is in flight into the next run, started as soon as it ends', async () => {
    const h = controlledRun<number, number>();
    const batcher = createBatcher({ maxItems: 10, maxWaitMs: 5, run: h.run });
    const first = [batcher.submit(1), batcher.submit(2)];
    await vi.advanceTimersByTimeAsync(5);
    const second = [batcher.submit(3), batcher.submit(4)];
    await vi.advanceTimersByTimeAsync(50);
    expect(h.calls).toHaveLength(1);
    expect(h.maxActive).toBe(1);

    h.calls[0]!.resolve([10, 20]);
    await settle(); // no timer advance: the waiting batch does not wait again
    expect(h.calls.map((c) => c.items)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    h.calls[1]!.resolve([30, 40]);
    await expect(Promise.all([...first, ...second])).resolves.toEqual([10, 20, 30, 40]);
    expect(h.maxActive).toBe(1);
  });

  it('rejects exactly the submitters of a failed run, and later batches still work', async () => {
    const h = controlledRun<number, number>();
    const batcher = createBatcher({ maxItems: 10, maxWaitMs: 1, run: h.run });
    const failing = [track(batcher.submit(1)), track(batcher.submit(2))];
    await vi.advanceTimersByTimeAsync(1);
    const next = [track(batcher.submit(3)), track(batcher.submit(4))];
    const failure = new Error('database down');
    h.calls[0]!.reject(failure);
    await settle();
    expect(failing).toEqual([
      { settled: true, error: failure },
      { settled: true, error: failure },
    ]);
    expect(next.map((s) => s.settled)).toEqual([false, false]);

    h.calls[1]!.resolve([30, 40]);
    await settle();
    expect(next).toEqual([
      { settled: true, value: 30 },
      { settled: true, value: 40 },
    ]);
    const later = batcher.submit(5);
    await vi.advanceTimersByTimeAsync(1);
    h.calls[2]!.resolve([50]);
    await expect(later).resolves.toBe(50);
  });

  it('rejects a batch whose run throws synchronously', async () => {
    const batcher = createBatcher<number, number>({
      maxItems: 10,
      maxWaitMs: 1,
      run: () => {
        throw new Error('boom');
      },
    });
    const result = batcher.submit(1);
    const settled = expect(result).rejects.toThrow('boom');
    await vi.advanceTimersByTimeAsync(1);
    await settled;
  });

  it('rejects a batch whose run returns the wrong number of results', async () => {
    const h = controlledRun<number, number>();
    const batcher = createBatcher({ maxItems: 10, maxWaitMs: 1, run: h.run });
    const results = [track(batcher.submit(1)), track(batcher.submit(2))];
    await vi.advanceTimersByTimeAsync(1);
    h.calls[0]!.resolve([10]);
    await settle();
    for (const r of results) {
      expect(r.settled).toBe(true);
      expect(r.error).toBeInstanceOf(Error);
    }
  });

  describe('drain', () => {
    it('resolves at once when nothing was submitted', async () => {
      const h = controlledRun<number, number>();
      const batcher = createBatcher({ maxItems: 10, maxWaitMs: 1, run: h.run });
      await batcher.drain();
      expect(h.calls).toHaveLength(0);
    });

    it('runs waiting items without waiting for the timer and resolves once every batch has run', async () => {
      const h = controlledRun<number, number>();
      const batcher = createBatcher({ maxItems: 2, maxWaitMs: 1_000, run: h.run });
      const results = [1, 2, 3, 4, 5].map((n) => track(batcher.submit(n)));
      const drained = track(batcher.drain());
      await settle();
      expect(h.calls).toHaveLength(1);

      while (h.pending.length > 0) {
        expect(drained.settled).toBe(false);
        h.pending[0]!.resolve(double(h.pending[0]!.items));
        await settle();
      }
      expect(drained.settled).toBe(true);
      expect(h.calls.map((c) => c.items)).toEqual([[1, 2], [3, 4], [5]]);
      expect(results.every((r) => r.settled)).toBe(true);
    });

    it('resolves even when a batch failed', async () => {
      const h = controlledRun<number, number>();
      const batcher = createBatcher({ maxItems: 10, maxWaitMs: 1_000, run: h.run });
      const result = batcher.submit(1).catch((error: unknown) => error);
      const drained = batcher.drain();
      await settle();
      h.calls[0]!.reject(new Error('boom'));
      await drained;
      await expect(result).resolves.toBeInstanceOf(Error);
    });
  });

  it('runs every item once, in submission order, one run at a time within maxItems (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.array(fc.integer(), { maxLength: 8 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
        async (maxItems, waves, completeAfterWave) => {
          const h = controlledRun<number, number>();
          const batcher = createBatcher({ maxItems, maxWaitMs: 3, run: h.run });
          const submitted: number[] = [];
          const results: Promise<number>[] = [];
          for (const [w, wave] of waves.entries()) {
            for (const item of wave) {
              submitted.push(item);
              results.push(batcher.submit(item));
            }
            await vi.advanceTimersByTimeAsync(3);
            const pending = h.pending[0];
            if (completeAfterWave[w] === true && pending !== undefined) pending.resolve(double(pending.items));
            await settle();
          }
          const drained = batcher.drain();
          for (let call = h.pending[0]; call !== undefined; call = h.pending[0]) {
            call.resolve(double(call.items));
            await settle();
          }
          await drained;

          expect(await Promise.all(results)).toEqual(double(submitted));
          expect(h.calls.flatMap((c) => c.items)).toEqual(submitted);
          expect(h.calls.every((c) => c.items.length >= 1 && c.items.length <= maxItems)).toBe(true);
          expect(h.maxActive).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
});
