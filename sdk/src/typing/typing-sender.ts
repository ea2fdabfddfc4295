/**
 * Typing indicator, sending side (docs/signals.md#sender-state-machine): a leading-edge throttle
 * for START/RENEW and a debounce for STOP.
 *
 * - the first keystroke sends START at once;
 * - while typing, a keystroke at least `renewIntervalMs` after the last START/RENEW sends RENEW
 *   at once (leading edge: no timer, so nothing is sent when nobody types);
 * - `idleStopMs` without a keystroke, a sent message, or a cleared/blurred input sends STOP;
 * - after STOP, the next keystroke is a new START.
 *
 * Budget: a burst whose keystrokes span `d` ms sends START, STOP and at most
 * `floor(d / renewIntervalMs)` RENEWs. Liveness: while typing, the gap from one START/RENEW
 * to the next packet is under `renewIntervalMs + idleStopMs` (4 s by default), so a receiver
 * expiring at 5 s never drops a user who is still typing when no packet is lost.
 */
import { TypingState } from '@mqtt-chat/protocol';
import type { Clock, TimerHandle } from '../clock.js';

/** Minimum gap between two START/RENEW packets of one burst. */
export const TYPING_RENEW_INTERVAL_MS = 3000;
/** Quiet time after the last keystroke before STOP is sent. */
export const TYPING_IDLE_STOP_MS = 1000;

export interface TypingSenderOptions {
  renewIntervalMs?: number;
  idleStopMs?: number;
}

export interface TypingSenderDeps {
  clock: Clock;
  /** Called synchronously with each packet to publish on the room's typing topic. */
  emit: (state: TypingState) => void;
}

export interface TypingSender {
  /** The user changed the input (a key, a paste, a dictated word). */
  keystroke(): void;
  /** The message was sent: STOP now if typing. */
  messageSent(): void;
  /** The input was emptied or lost focus: STOP now if typing. */
  inputCleared(): void;
  isTyping(): boolean;
  /**
   * Cancels the pending STOP and ignores later calls. It sends nothing: call `inputCleared()`
   * first to tell peers at once; otherwise their receivers expire the state by themselves.
   */
  dispose(): void;
}

export function createTypingSender(deps: TypingSenderDeps, options: TypingSenderOptions = {}): TypingSender {
  const renewIntervalMs = positiveMs('renewIntervalMs', options.renewIntervalMs ?? TYPING_RENEW_INTERVAL_MS);
  const idleStopMs = positiveMs('idleStopMs', options.idleStopMs ?? TYPING_IDLE_STOP_MS);
  /** Time of the last START/RENEW of the current burst; undefined while not typing. */
  let lastAnnouncedMs: number | undefined;
  let idleTimer: TimerHandle | undefined;
  let disposed = false;

  function cancelIdleTimer(): void {
    if (idleTimer === undefined) return;
    deps.clock.clearTimeout(idleTimer);
    idleTimer = undefined;
  }

  function stop(): void {
    cancelIdleTimer();
    if (disposed || lastAnnouncedMs === undefined) return;
    lastAnnouncedMs = undefined;
    deps.emit(TypingState.TYPING_STATE_STOP);
  }

  return {
    keystroke() {
      if (disposed) return;
      const nowMs = deps.clock.now();
      if (lastAnnouncedMs === undefined) {
        lastAnnouncedMs = nowMs;
        deps.emit(TypingState.TYPING_STATE_START);
      } else if (nowMs - lastAnnouncedMs >= renewIntervalMs) {
        lastAnnouncedMs = nowMs;
        deps.emit(TypingState.TYPING_STATE_RENEW);
      }
      cancelIdleTimer();
      idleTimer = deps.clock.setTimeout(() => {
        idleTimer = undefined;
        stop();
      }, idleStopMs);
    },
    messageSent: stop,
    inputCleared: stop,
    isTyping: () => lastAnnouncedMs !== undefined,
    dispose() {
      disposed = true;
      cancelIdleTimer();
    },
  };
}

function positiveMs(name: string, valueMs: number): number {
  if (!Number.isFinite(valueMs) || valueMs <= 0) throw new RangeError(`${name} must be a positive number of milliseconds, got ${valueMs}`);
  return valueMs;
}
