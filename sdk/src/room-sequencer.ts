/**
 * Per-room delivery order (docs/durable-path.md#ordering-and-gap-fill): hands messages to the app
 * strictly by seq, each seq once. In order → delivered at once (and whatever it unblocks); ahead of
 * a gap → held; at or below the last delivered seq, or already held → a duplicate, dropped. A gap
 * that lasts `gapWaitMs` is reported so the owner fetches it over REST, and reported again every
 * `gapWaitMs` while it lasts (a fetch can fail). Holding is bounded: beyond `maxHeld` messages
 * are dropped, which is safe because the gap fetch pages through everything after the last
 * delivered seq anyway.
 *
 * Pure apart from the injected clock: no I/O, no epochs (the owner resets it on an epoch change).
 */
import type { Message } from '@mqtt-chat/protocol';
import type { Clock, TimerHandle } from './clock.js';

/** Long enough for QoS 1 deliveries racing each other to land, short enough that a user never sees the hole. */
export const DEFAULT_GAP_WAIT_MS = 500;
/** A phone holds at most this many out-of-order messages per room. */
export const DEFAULT_MAX_HELD = 1000;

export type OfferResult = 'delivered' | 'held' | 'duplicate' | 'dropped';

export interface RoomSequencerDeps {
  clock: Clock;
  deliver(message: Message): void;
  gapExpired(): void;
}

export interface RoomSequencerOptions {
  gapWaitMs?: number;
  maxHeld?: number;
  /** The last seq the app already has (restored from its storage); 0 for none. */
  lastSeq?: number;
}

export interface RoomSequencer {
  offer(message: Message): OfferResult;
  /** Seqs up to `seq` will never come (history truncated): continue after it. */
  skipTo(seq: number): void;
  /** A new epoch: seqs start again from 1, and nothing held belongs to it. */
  reset(): void;
  lastSeq(): number;
  heldCount(): number;
  dispose(): void;
}

export function createRoomSequencer(deps: RoomSequencerDeps, options: RoomSequencerOptions = {}): RoomSequencer {
  const gapWaitMs = options.gapWaitMs ?? DEFAULT_GAP_WAIT_MS;
  const maxHeld = options.maxHeld ?? DEFAULT_MAX_HELD;
  if (!(gapWaitMs > 0)) throw new RangeError(`gapWaitMs must be positive, got ${gapWaitMs}`);
  let lastSeq = options.lastSeq ?? 0;
  const held = new Map<number, Message>();
  let gapTimer: TimerHandle | undefined;
  let disposed = false;

  function drain(): void {
    for (let next = held.get(lastSeq + 1); next !== undefined; next = held.get(lastSeq + 1)) {
      held.delete(next.seq);
      lastSeq = next.seq;
      deps.deliver(next);
    }
    syncGapTimer();
  }

  /** A timer runs exactly while something is held. */
  function syncGapTimer(): void {
    if (held.size === 0 && gapTimer !== undefined) {
      deps.clock.clearTimeout(gapTimer);
      gapTimer = undefined;
    } else if (held.size > 0 && gapTimer === undefined && !disposed) {
      gapTimer = deps.clock.setTimeout(() => {
        gapTimer = undefined;
        if (held.size > 0) deps.gapExpired();
        syncGapTimer();
      }, gapWaitMs);
    }
  }

  return {
    offer(message) {
      if (disposed) return 'dropped';
      const isDuplicate = message.seq <= lastSeq || held.has(message.seq);
      if (isDuplicate) return 'duplicate';
      if (message.seq === lastSeq + 1) {
        lastSeq = message.seq;
        deps.deliver(message);
        drain();
        return 'delivered';
      }
      if (held.size >= maxHeld) return 'dropped';
      held.set(message.seq, message);
      syncGapTimer();
      return 'held';
    },
    skipTo(seq) {
      if (seq <= lastSeq) return;
      lastSeq = seq;
      for (const heldSeq of held.keys()) if (heldSeq <= seq) held.delete(heldSeq);
      drain();
    },
    reset() {
      lastSeq = 0;
      held.clear();
      syncGapTimer();
    },
    lastSeq: () => lastSeq,
    heldCount: () => held.size,
    dispose() {
      disposed = true;
      held.clear();
      syncGapTimer();
    },
  };
}
