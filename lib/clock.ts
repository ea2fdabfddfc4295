/**
 * Time as the server's decision code sees it, injected: token expiry, presence TTLs, rate limits
 * and provider credentials are tested on a virtual clock (devtools/virtual-clock.ts) that moves
 * when the test says so, never with sleeps. The SDK declares a Clock of the same shape
 * (sdk/src/clock.ts: a published package imports nothing from the server), so one virtual clock
 * serves both.
 */

/** Opaque to callers: a Timeout object on Node, an id in the virtual clock. */
export type TimerHandle = object | number;

/** Epoch time only: for facts stamped with the time (JWT `iat`/`exp`, HTTP dates, access-token lifetimes). */
export interface WallClock {
  /** Epoch milliseconds. (Function-valued members: a clock's parts are handed around on their own, `now: clock.now`.) */
  now: () => number;
}

/** Epoch time and timers: for decisions that happen later (a token's expiry, a presence refresh). */
export interface Clock extends WallClock {
  setTimeout: (callback: () => void, delayMs: number) => TimerHandle;
  clearTimeout: (handle: TimerHandle) => void;
}

/** setTimeout's longest delay; `setLongTimeout` re-arms beyond it. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The real clock. Its timers never keep the process alive on their own: whoever arms one also
 * clears it at shutdown, and an idle process must still be able to exit.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => globalThis.setTimeout(callback, Math.min(delayMs, MAX_TIMER_MS)).unref(),
  // The handle came from globalThis.setTimeout just above.
  clearTimeout: (handle) => globalThis.clearTimeout(handle as NodeJS.Timeout),
};

/** Runs `callback` every `intervalMs` on `clock` until the returned function is called. */
export function every(clock: Clock, intervalMs: number, callback: () => void): () => void {
  let handle: TimerHandle | undefined;
  let isStopped = false;
  const arm = (): void => {
    handle = clock.setTimeout(() => {
      if (isStopped) return;
      arm(); // first: a callback that throws must not end the schedule
      callback();
    }, intervalMs);
  };
  arm();
  return () => {
    isStopped = true;
    if (handle !== undefined) clock.clearTimeout(handle);
  };
}

/** Runs `callback` at epoch `atMs` on `clock`, however far away (beyond setTimeout's ~24.8 days); the returned function cancels it. */
export function at(clock: Clock, atMs: number, callback: () => void): () => void {
  let handle: TimerHandle | undefined;
  const arm = (): void => {
    const delayMs = Math.max(0, atMs - clock.now());
    handle = clock.setTimeout(() => (delayMs > MAX_TIMER_MS ? arm() : callback()), Math.min(delayMs, MAX_TIMER_MS));
  };
  arm();
  return () => {
    if (handle !== undefined) clock.clearTimeout(handle);
  };
}
