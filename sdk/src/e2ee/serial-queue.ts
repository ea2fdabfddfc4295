/**
 * Runs async tasks one at a time, in the order they were queued. Signal's state machines load a
 * record, advance it and save it back across awaits (the stores are async), so two operations on
 * the same session or sender key must never interleave: every cryptographic operation of a device
 * goes through one queue. A task that fails does not stop the ones after it.
 */
export interface SerialQueue {
  run<T>(task: () => Promise<T>): Promise<T>;
}

export function createSerialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run(task) {
      const result = tail.then(task);
      tail = result.catch(() => undefined);
      return result;
    },
  };
}

/** One serial queue per key (a room): tasks of one key in order, different keys side by side. */
export interface KeyedQueue {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}

export function createKeyedQueue(): KeyedQueue {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run(key, task) {
      const result = (tails.get(key) ?? Promise.resolve()).then(task);
      const tail = result.catch(() => undefined);
      tails.set(key, tail);
      // Forget an idle key, so the map holds only rooms with work queued.
      void tail.then(() => tails.get(key) === tail && tails.delete(key));
      return result;
    },
  };
}
