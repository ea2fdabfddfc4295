/**
 * Keeps one room's delivered history complete (docs/durable-path.md#ordering-and-gap-fill): live
 * messages go through the room's sequencer; on every (re)connect, and whenever a gap outlasts
 * `gapWaitMs`, everything after the last delivered seq is fetched over REST, page by page, until
 * caught up. One fetch runs at a time; a request during a fetch runs another round after it.
 *
 * Epochs: a live message from another epoch is not trusted on its own (a late delivery from
 * before a reset would look the same); it triggers a fetch, and the history answer's epoch is
 * authoritative. A new epoch restarts the room from seq 0 and is announced, so the app can drop
 * what it stored. A 410 ERR_HISTORY_TRUNCATED is announced, never skipped silently.
 */
import type { Message } from '../../schema/index.js';
import type { Clock, TimerHandle } from '../clock.js';
import { backoffDelayMs, type BackoffOptions } from './backoff.js';
import type { HistoryAnswer, RestClient } from './rest.js';
import { createRoomSequencer } from './room-sequencer.js';

export interface HistoryTruncated {
  roomId: string;
  /** The client asked for seqs after this one... */
  afterSeq: number;
  /** ...but history now starts after this one: seqs afterSeq+1..historyFloor are gone. */
  historyFloor: number;
}

export interface EpochChanged {
  roomId: string;
  epoch: number;
}

export interface RoomSyncDeps {
  clock: Clock;
  random: () => number;
  rest: Pick<RestClient, 'messagesAfter'>;
  deliver(message: Message): void;
  historyTruncated(event: HistoryTruncated): void;
  epochChanged(event: EpochChanged): void;
  /** A fetch failed; it is retried with backoff while online. */
  fetchFailed(error: unknown): void;
}

export interface RoomSyncOptions {
  roomId: string;
  gapWaitMs: number;
  maxHeld: number;
  retryBackoff: BackoffOptions;
  lastSeq?: number;
  epoch?: number;
}

export interface RoomSync {
  offerLive(message: Message): void;
  /** Connected and subscribed: fetch everything after the last delivered seq. */
  online(): void;
  offline(): void;
  lastSeq(): number;
  counters(): { duplicates: number; gapFetches: number };
  dispose(): void;
}

export function createRoomSync(deps: RoomSyncDeps, options: RoomSyncOptions): RoomSync {
  const { roomId } = options;
  let epoch = options.epoch;
  let isOnline = false;
  let disposed = false;
  let fetching = false;
  let fetchAgain = false;
  let failures = 0;
  let retryTimer: TimerHandle | undefined;
  const counters = { duplicates: 0, gapFetches: 0 };

  const sequencer = createRoomSequencer(
    {
      clock: deps.clock,
      deliver: (message) => deps.deliver(message),
      gapExpired() {
        counters.gapFetches += 1;
        requestFetch();
      },
    },
    { gapWaitMs: options.gapWaitMs, maxHeld: options.maxHeld, lastSeq: options.lastSeq ?? 0 },
  );

  function offer(message: Message): void {
    if (sequencer.offer(message) === 'duplicate') counters.duplicates += 1;
  }

  function requestFetch(): void {
    if (disposed || !isOnline) return;
    if (fetching) {
      fetchAgain = true;
      return;
    }
    fetching = true;
    void fetchRounds().finally(() => (fetching = false));
  }

  async function fetchRounds(): Promise<void> {
    do {
      fetchAgain = false;
      try {
        await fetchUntilCaughtUp();
        failures = 0;
      } catch (error) {
        deps.fetchFailed(error);
        scheduleRetry();
        return;
      }
    } while (fetchAgain && !disposed && isOnline);
  }

  function scheduleRetry(): void {
    if (disposed || !isOnline || retryTimer !== undefined) return;
    const delayMs = backoffDelayMs(failures, options.retryBackoff, deps.random);
    failures += 1;
    retryTimer = deps.clock.setTimeout(() => {
      retryTimer = undefined;
      requestFetch();
    }, delayMs);
  }

  async function fetchUntilCaughtUp(): Promise<void> {
    while (!disposed) {
      const afterSeq = sequencer.lastSeq();
      const answer = await deps.rest.messagesAfter(roomId, afterSeq);
      if (disposed) return;
      if (adoptEpoch(answer.epoch)) continue; // a new epoch: start again from seq 0
      if (answer.kind === 'truncated') {
        if (answer.historyFloor <= afterSeq) throw new RangeError(`410 for after=${afterSeq} with historyFloor ${answer.historyFloor}`);
        deps.historyTruncated({ roomId, afterSeq, historyFloor: answer.historyFloor });
        sequencer.skipTo(answer.historyFloor);
        continue;
      }
      for (const message of answer.messages) offer(message);
      const isCaughtUp = sequencer.lastSeq() >= answer.lastSeq || answer.messages.length === 0;
      // No progress although messages came: they lie beyond a hole; the sequencer holds them and its gap timer asks again.
      const madeNoProgress = sequencer.lastSeq() === afterSeq;
      if (isCaughtUp || madeNoProgress) return;
    }
  }

  /** True when `answerEpoch` is a new epoch for this room (the room was reset). */
  function adoptEpoch(answerEpoch: HistoryAnswer['epoch']): boolean {
    if (answerEpoch === undefined || answerEpoch === epoch) return false;
    const isReset = epoch !== undefined;
    epoch = answerEpoch;
    if (!isReset) return false;
    sequencer.reset();
    deps.epochChanged({ roomId, epoch: answerEpoch });
    return true;
  }

  return {
    offerLive(message) {
      if (disposed) return;
      epoch ??= message.epoch;
      if (message.epoch === epoch) return offer(message);
      requestFetch(); // the history answer will say which epoch is current
    },
    online() {
      isOnline = true;
      requestFetch();
    },
    offline() {
      isOnline = false;
      if (retryTimer !== undefined) deps.clock.clearTimeout(retryTimer);
      retryTimer = undefined;
    },
    lastSeq: () => sequencer.lastSeq(),
    counters: () => ({ ...counters }),
    dispose() {
      disposed = true;
      if (retryTimer !== undefined) deps.clock.clearTimeout(retryTimer);
      sequencer.dispose();
    },
  };
}
