/**
 * Typing indicator, receiving side (docs/signals.md#receiver-expiry), one per room subscription:
 * the room comes from the topic, the user id from the broker's stamp. START or RENEW shows a user
 * (RENEW too, so a lost START or a late join still shows them) until STOP or until `expiryMs` after
 * the last START/RENEW, whichever comes first. Typing travels at QoS 0, so the expiry is what
 * bounds a lost STOP: a user is never shown longer than `expiryMs` after their last keystroke.
 */
import { TypingState, type Typing } from '@mqtt-chat/protocol';
import type { Clock, TimerHandle } from '../clock.js';

/** How long a START/RENEW keeps a user shown; above the sender's renew + idle gap (4 s). */
export const TYPING_EXPIRY_MS = 5000;

export interface TypingReceiverOptions {
  expiryMs?: number;
  /** Our own user id: the broker echoes our typing back to us, and we do not show ourselves. */
  selfUserId?: string;
}

export interface TypingReceiverDeps {
  clock: Clock;
  /** Called with the new list whenever it changes, and only then. */
  onChange?: (userIds: string[]) => void;
}

export interface TypingReceiver {
  receive(typing: Typing): void;
  /** Users typing now, in the order they started. */
  typingUsers(): string[];
  /** Cancels every expiry timer; later events are ignored and onChange is not called again. */
  dispose(): void;
}

export function createTypingReceiver(deps: TypingReceiverDeps, options: TypingReceiverOptions = {}): TypingReceiver {
  const expiryMs = options.expiryMs ?? TYPING_EXPIRY_MS;
  if (!Number.isFinite(expiryMs) || expiryMs <= 0)
    throw new RangeError(`expiryMs must be a positive number of milliseconds, got ${expiryMs}`);
  /** User id → the timer that will expire them; insertion order is the order they started. */
  const expiryTimers = new Map<string, TimerHandle>();
  let disposed = false;

  function changed(): void {
    deps.onChange?.([...expiryTimers.keys()]);
  }

  function show(userId: string): void {
    const previous = expiryTimers.get(userId);
    if (previous !== undefined) deps.clock.clearTimeout(previous);
    expiryTimers.set(
      userId,
      deps.clock.setTimeout(() => hide(userId), expiryMs),
    );
    if (previous === undefined) changed();
  }

  function hide(userId: string): void {
    const timer = expiryTimers.get(userId);
    if (timer === undefined) return;
    deps.clock.clearTimeout(timer);
    expiryTimers.delete(userId);
    changed();
  }

  return {
    receive({ state, userId }) {
      const isForeign = userId !== '' && userId !== options.selfUserId;
      if (disposed || !isForeign) return;
      if (state === TypingState.TYPING_STATE_START || state === TypingState.TYPING_STATE_RENEW) show(userId);
      else if (state === TypingState.TYPING_STATE_STOP) hide(userId);
      // TYPING_STATE_UNSPECIFIED and unknown values: ignored (the broker drops them anyway).
    },
    typingUsers: () => [...expiryTimers.keys()],
    dispose() {
      disposed = true;
      for (const timer of expiryTimers.values()) deps.clock.clearTimeout(timer);
      expiryTimers.clear();
    },
  };
}
