/**
 * Virtual time for tests, benchmarks and discrete-event experiments: a clock whose timers run in
 * (due time, creation order) order only when told to (`advance`, `advanceTo`), so hours of
 * simulated phone life take milliseconds, a token expires without anyone waiting, and every run
 * of the same inputs is identical. A binary heap keeps each timer O(log n), which matters when a
 * 15 s keepalive is simulated for a day.
 *
 * It has the shape of both the server's Clock (lib/clock.ts) and the SDK's (sdk/src/clock.ts),
 * and imports neither: devtools/ depends on nothing in the repository.
 */

/** Function-valued members, like the Clocks it stands in for: `now: clock.now` is handed around on its own. */
export interface VirtualClock {
  now: () => number;
  setTimeout: (callback: () => void, delayMs: number) => number;
  clearTimeout: (handle: unknown) => void;
  /** Moves time forward by `ms`, running every timer due by then (also ones they set), earliest first. */
  advance: (ms: number) => void;
  /** Runs every timer due at or before `atMs` (also ones they set), then leaves time at `atMs` (never moves backwards). */
  advanceTo: (atMs: number) => void;
  /** Timers neither run nor cleared. */
  pendingTimers: () => number;
}

interface Timer {
  id: number;
  dueMs: number;
  callback: () => void;
}

export function createVirtualClock(startMs = 0): VirtualClock {
  let nowMs = startMs;
  let nextId = 1;
  const heap: Timer[] = [];
  /** Ids of timers neither run nor cleared. */
  const pending = new Set<number>();

  const before = (a: Timer, b: Timer): boolean => a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.id < b.id);

  function push(timer: Timer): void {
    heap.push(timer);
    for (let i = heap.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  function pop(): Timer | undefined {
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    for (let i = 0; ;) {
      const [left, right] = [2 * i + 1, 2 * i + 2];
      let smallest = i;
      if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === i) break;
      [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
      i = smallest;
    }
    return top;
  }

  const clock: VirtualClock = {
    now: () => nowMs,
    setTimeout: (callback, delayMs) => {
      const id = nextId++;
      pending.add(id);
      push({ id, dueMs: nowMs + Math.max(0, delayMs), callback });
      return id;
    },
    clearTimeout: (handle) => {
      if (typeof handle === 'number') pending.delete(handle);
    },
    advance: (ms) => clock.advanceTo(nowMs + ms),
    advanceTo: (atMs) => {
      while (heap.length > 0 && heap[0]!.dueMs <= atMs) {
        const timer = pop()!;
        if (!pending.delete(timer.id)) continue; // cleared
        nowMs = timer.dueMs;
        timer.callback();
      }
      nowMs = Math.max(nowMs, atMs);
    },
    pendingTimers: () => pending.size,
  };
  return clock;
}
