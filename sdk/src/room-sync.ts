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
import type { Message } from '@mqtt-chat/protocol';
import type { Clock, TimerHandle } from './clock.js';
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
  rest: Pick<RestClient, 'messagesAfter' | 'messagesBefore'>;
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
  /** With no `lastSeq`: deliver only the room's newest this-many messages, then everything after them. */
  initialLatest?: number;
}

/** A `before` above every seq: the newest page. */
const NEWEST = Number.MAX_SAFE_INTEGER;

export interface RoomSync {
  offerLive(message: Message): void;
  /** Connected and subscribed: fetch everything after the last delivered seq. */
  online(): void;
  offline(): void;
  lastSeq(): number;
  /** The lowest seq this sync delivers: messages below it are the app's own or come from paging back. */
  startSeq(): number;
  /** Resolves once `startSeq()` is settled (at once, unless the room starts from its newest page and that page has not come yet). */
  started(): Promise<void>;
  /** The epoch of the history being delivered, once known. */
  epoch(): number | undefined;
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
  let startSeq = (options.lastSeq ?? 0) + 1;
  /** Set until the newest page has been fetched, for a room started from its latest messages. */
  let latestFirst = options.lastSeq === undefined && options.initialLatest !== undefined ? options.initialLatest : undefined;
  let markStarted: () => void = () => undefined;
  const started = latestFirst === undefined ? Promise.resolve() : new Promise<void>((resolve) => (markStarted = resolve));

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

  /** The newest page: delivery starts at its first message. False when a new epoch means starting over. */
  async function fetchLatest(limit: number): Promise<boolean> {
    const answer = await deps.rest.messagesBefore(roomId, NEWEST, limit);
    if (disposed || adoptEpoch(answer.epoch)) return false;
    latestFirst = undefined;
    // Nothing lies below the floor of the newest page; were it refused anyway, catch up forwards as usual.
    const first = answer.kind === 'page' ? answer.messages[0] : undefined;
    if (first !== undefined && sequencer.lastSeq() < first.seq - 1) {
      sequencer.skipTo(first.seq - 1);
      startSeq = first.seq;
    }
    if (answer.kind === 'page') for (const message of answer.messages) offer(message);
    markStarted();
    return true;
  }

  async function fetchUntilCaughtUp(): Promise<void> {
    while (!disposed) {
      if (latestFirst !== undefined && !(await fetchLatest(latestFirst))) continue;
      if (disposed) return;
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
    startSeq = 1;
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
    startSeq: () => startSeq,
    started: () => started,
    epoch: () => epoch,
    counters: () => ({ ...counters }),
    dispose() {
      disposed = true;
      markStarted();
      if (retryTimer !== undefined) deps.clock.clearTimeout(retryTimer);
      sequencer.dispose();
    },
  };
}
