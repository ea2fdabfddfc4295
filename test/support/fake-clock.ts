/** A Clock whose time moves only when a test says so: `advance(ms)` runs due timers in order. */
import type { Clock, TimerHandle } from '@mqtt-chat/sdk';

export interface FakeClock extends Clock {
  /** Moves time forward by `ms`, running every timer due by then (also ones they set), earliest first. */
  advance(ms: number): void;
  /** Moves time forward to `atMs` (never backwards). */
  advanceTo(atMs: number): void;
  pendingTimers(): number;
}

export function createFakeClock(startMs = 0): FakeClock {
  let nowMs = startMs;
  let nextId = 1;
  let timers: { id: number; dueMs: number; callback: () => void }[] = [];
  const clock: FakeClock = {
    now: () => nowMs,
    setTimeout(callback, delayMs): TimerHandle {
      const id = nextId++;
      timers.push({ id, dueMs: nowMs + Math.max(0, delayMs), callback });
      return id;
    },
    clearTimeout(handle) {
      timers = timers.filter((t) => t.id !== handle);
    },
    advance(ms) {
      const targetMs = nowMs + ms;
      for (;;) {
        const due = timers.filter((t) => t.dueMs <= targetMs).sort((a, b) => a.dueMs - b.dueMs || a.id - b.id)[0];
        if (due === undefined) break;
        timers = timers.filter((t) => t !== due);
        nowMs = due.dueMs;
        due.callback();
      }
      nowMs = targetMs;
    },
    advanceTo: (atMs) => clock.advance(Math.max(0, atMs - nowMs)),
    pendingTimers: () => timers.length,
  };
  return clock;
}
