import { describe, expect, it } from 'vitest';
import type { HistoryAnswer } from '../../sdk/src/rest.js';
import { createRoomSync, type EpochChanged, type HistoryTruncated } from '../../sdk/src/room-sync.js';
import type { Message } from '@mqtt-chat/protocol';
import { createVirtualClock } from '../../devtools/index.js';

const message = (seq: number, epoch = 1): Message => ({
  roomId: 'r1',
  seq,
  epoch,
  senderId: 'u1',
  senderDevice: 'phone',
  clientMsgId: `m${seq}`,
  sentAtMs: 0,
  body: new Uint8Array(),
  contentType: '',
});

/**
 * The history endpoint as a room's state: `GET ...messages?after=` answers from it, as the API
 * does (pages of `pageLimit`, 410 below the floor). `failNext` makes the next calls fail.
 */
function fakeHistory(options: { lastSeq: number; epoch?: number; floor?: number; pageLimit?: number }) {
  const room = { lastSeq: options.lastSeq, epoch: options.epoch ?? 1, floor: options.floor ?? 0, failNext: 0 };
  const calls: number[] = [];
  const messagesAfter = async (_roomId: string, afterSeq: number): Promise<HistoryAnswer> => {
    calls.push(afterSeq);
    if (room.failNext > 0) {
      room.failNext -= 1;
      throw new Error('no answer');
    }
    if (afterSeq < room.floor) return { kind: 'truncated', historyFloor: room.floor, epoch: room.epoch };
    const last = Math.min(room.lastSeq, afterSeq + (options.pageLimit ?? 500));
    const messages = Array.from({ length: Math.max(0, last - afterSeq) }, (_, i) => message(afterSeq + i + 1, room.epoch));
    return { kind: 'page', messages, lastSeq: room.lastSeq, epoch: room.epoch, historyFloor: room.floor };
  };
  /** `?before=`: the newest `limit` messages below `beforeSeq`, ascending; recorded as a negative call. */
  const messagesBefore = async (_roomId: string, beforeSeq: number, limit: number): Promise<HistoryAnswer> => {
    calls.push(-limit);
    const last = Math.min(room.lastSeq, beforeSeq - 1);
    const first = Math.max(room.floor + 1, last - limit + 1);
    const messages = Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => message(first + i, room.epoch));
    return { kind: 'page', messages, lastSeq: room.lastSeq, epoch: room.epoch, historyFloor: room.floor };
  };
  return { room, calls, rest: { messagesAfter, messagesBefore } };
}

function setup(history: ReturnType<typeof fakeHistory>, start: { lastSeq?: number; epoch?: number; initialLatest?: number } = {}) {
  const clock = createVirtualClock();
  const delivered: [epoch: number, seq: number][] = [];
  const truncations: HistoryTruncated[] = [];
  const epochs: EpochChanged[] = [];
  const failures: unknown[] = [];
  const sync = createRoomSync(
    {
      clock,
      random: () => 0.5,
      rest: history.rest,
      deliver: (m) => delivered.push([m.epoch, m.seq]),
      historyTruncated: (e) => truncations.push(e),
      epochChanged: (e) => epochs.push(e),
      fetchFailed: (e) => failures.push(e),
    },
    { roomId: 'r1', gapWaitMs: 200, maxHeld: 100, retryBackoff: { baseMs: 100, capMs: 1000 }, ...start },
  );
  return { clock, delivered, truncations, epochs, failures, sync };
}

/** Lets the fake REST answers (promises) settle. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('room sync', () => {
  it('on connect, pages through everything after the last delivered seq until caught up', async () => {
    const history = fakeHistory({ lastSeq: 7, pageLimit: 3 });
    const { delivered, sync } = setup(history, { lastSeq: 1, epoch: 1 });
    sync.online();
    await settle();
    expect(history.calls).toEqual([1, 4]); // the second page reaches the lastSeq it reports: caught up
    expect(delivered.map(([, seq]) => seq)).toEqual([2, 3, 4, 5, 6, 7]);
  });

  it('fetches a gap that outlasts gapWaitMs, and drops the live message the fetch brings again', async () => {
    const history = fakeHistory({ lastSeq: 0 });
    const { clock, delivered, sync } = setup(history, { epoch: 1 });
    sync.online();
    await settle();
    sync.offerLive(message(1));
    history.room.lastSeq = 3;
    sync.offerLive(message(3));
    clock.advance(200);
    await settle();
    expect(history.calls).toEqual([0, 1]);
    expect(delivered.map(([, seq]) => seq)).toEqual([1, 2, 3]);
    expect(sync.counters()).toEqual({ duplicates: 1, gapFetches: 1 });
  });

  it('retries a failed fetch with backoff while online, and not after going offline', async () => {
    const history = fakeHistory({ lastSeq: 2 });
    const { clock, delivered, failures, sync } = setup(history, { epoch: 1 });
    history.room.failNext = 2;
    sync.online();
    await settle();
    clock.advance(50); // random 0.5 of base 100
    await settle();
    expect([failures.length, delivered.length]).toEqual([2, 0]);
    clock.advance(100); // 0.5 of 200
    await settle();
    expect(delivered.map(([, seq]) => seq)).toEqual([1, 2]);
    history.room.failNext = 1;
    history.room.lastSeq = 3;
    sync.offerLive(message(4)); // a gap: fetch fails, then the client goes offline
    clock.advance(200);
    await settle();
    sync.offline();
    clock.advance(60_000);
    await settle();
    expect(history.calls).toHaveLength(4);
  });

  it('announces a truncated history (410) with the lost range and continues after the floor, never silently', async () => {
    const history = fakeHistory({ lastSeq: 5, floor: 3 });
    const { delivered, truncations, sync } = setup(history, { epoch: 1 });
    sync.online();
    await settle();
    expect(truncations).toEqual([{ roomId: 'r1', afterSeq: 0, historyFloor: 3 }]);
    expect(delivered.map(([, seq]) => seq)).toEqual([4, 5]);
  });

  it('resyncs from scratch when the history answers with a new epoch, and announces it', async () => {
    const history = fakeHistory({ lastSeq: 2, epoch: 1 });
    const { delivered, epochs, sync } = setup(history, { epoch: 1 });
    sync.online();
    await settle();
    history.room.epoch = 2; // restored from a backup: seqs start again
    history.room.lastSeq = 1;
    sync.offerLive(message(1, 2));
    await settle();
    expect(epochs).toEqual([{ roomId: 'r1', epoch: 2 }]);
    expect(delivered).toEqual([
      [1, 1],
      [1, 2],
      [2, 1],
    ]);
    expect(sync.lastSeq()).toBe(1);
  });

  it('ignores a live message from another epoch when the history still says the current one (a late delivery)', async () => {
    const history = fakeHistory({ lastSeq: 2, epoch: 1 });
    const { delivered, epochs, sync } = setup(history, { epoch: 1 });
    sync.online();
    await settle();
    sync.offerLive(message(3, 9));
    await settle();
    expect([epochs, delivered.length, history.calls]).toEqual([[], 2, [0, 2]]);
  });

  it('starts from the state the app stored, and resyncs at once if the epoch moved while the app was away', async () => {
    const history = fakeHistory({ lastSeq: 1, epoch: 5 });
    const { delivered, epochs, sync } = setup(history, { lastSeq: 40, epoch: 4 });
    sync.online();
    await settle();
    expect(epochs).toEqual([{ roomId: 'r1', epoch: 5 }]);
    expect(delivered).toEqual([[5, 1]]);
  });

  it('with initialLatest, delivers only the newest messages of a room it has nothing of, then everything after them', async () => {
    const history = fakeHistory({ lastSeq: 30 });
    const { delivered, sync } = setup(history, { initialLatest: 5 });
    let started = false;
    void sync.started().then(() => (started = true));
    await settle();
    expect(started).toBe(false); // the start is not known before the newest page came
    sync.online();
    await settle();
    expect(started).toBe(true);
    expect(history.calls).toEqual([-5, 30]); // the newest page, then a forward fetch after it
    expect(delivered.map(([, seq]) => seq)).toEqual([26, 27, 28, 29, 30]);
    expect(sync.startSeq()).toBe(26);
    history.room.lastSeq = 31;
    sync.offerLive(message(31));
    expect(delivered.map(([, seq]) => seq).at(-1)).toBe(31);
  });

  it('with initialLatest, holds a live message that beats the newest page, and delivers it once, in order', async () => {
    const history = fakeHistory({ lastSeq: 10 });
    const { delivered, sync } = setup(history, { initialLatest: 3 });
    sync.offerLive(message(10));
    sync.online();
    await settle();
    expect(delivered.map(([, seq]) => seq)).toEqual([8, 9, 10]);
    expect(sync.counters().duplicates).toBe(1);
  });

  it('ignores initialLatest for a room the app has state of, and for an empty room starts at seq 1', async () => {
    const stored = setup(fakeHistory({ lastSeq: 4 }), { lastSeq: 2, epoch: 1, initialLatest: 1 });
    stored.sync.online();
    await settle();
    expect(stored.delivered.map(([, seq]) => seq)).toEqual([3, 4]);
    expect(stored.sync.startSeq()).toBe(3);
    const empty = setup(fakeHistory({ lastSeq: 0 }), { initialLatest: 5 });
    empty.sync.online();
    await settle();
    empty.sync.offerLive(message(1));
    expect([empty.delivered.map(([, seq]) => seq), empty.sync.startSeq()]).toEqual([[1], 1]);
  });
});
