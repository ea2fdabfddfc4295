/**
 * Time as the SDK's domain logic sees it: injected, so typing, presence and backoff are tested
 * with a fake clock and never with sleeps.
 */

/** Opaque to callers: a Timeout object on Node, a number on phones and browsers, an id in the fake clock. */
export type TimerHandle = object | number;

export interface Clock {
  /** Monotonic milliseconds, for measuring intervals; not an epoch timestamp. */
  now(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The clock of the running platform (Node, a phone's JS engine). */
export const realClock: Clock = {
  // performance.now() does not jump when the wall clock is corrected (NTP, the user changing it).
  now: () => performance.now(),
  setTimeout: (callback, delayMs) => globalThis.setTimeout(callback, delayMs),
  // The handle came from globalThis.setTimeout just above.
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};
