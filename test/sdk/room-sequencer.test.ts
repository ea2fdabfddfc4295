import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRoomSequencer, type RoomSequencerOptions } from '../../sdk/src/room-sequencer.js';
import type { Message } from '@mqtt-chat/protocol';
import { createVirtualClock } from '../../devtools/index.js';

const message = (seq: number): Message => ({
  roomId: 'r1',
  seq,
  epoch: 1,
  senderId: 'u1',
  senderDevice: 'phone',
  clientMsgId: `m${seq}`,
  sentAtMs: 0,
  body: new Uint8Array(),
  contentType: '',
});

function setup(options: RoomSequencerOptions = {}, onGap: () => void = () => undefined) {
  const clock = createVirtualClock();
  const delivered: number[] = [];
  const gapsAtMs: number[] = [];
  const sequencer = createRoomSequencer(
    {
      clock,
      deliver: (m) => delivered.push(m.seq),
      gapExpired: () => {
        gapsAtMs.push(clock.now());
        onGap();
      },
    },
    { gapWaitMs: 500, ...options },
  );
  return { clock, delivered, gapsAtMs, sequencer };
}

describe('room sequencer', () => {
  it('delivers in-order messages at once', () => {
    const { delivered, sequencer, clock } = setup();
    expect([1, 2, 3].map((seq) => sequencer.offer(message(seq)))).toEqual(['delivered', 'delivered', 'delivered']);
    expect(delivered).toEqual([1, 2, 3]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('holds a message ahead of a gap and delivers both, in order, when the missing one arrives within gapWaitMs', () => {
    const { delivered, gapsAtMs, sequencer, clock } = setup();
    sequencer.offer(message(1));
    expect(sequencer.offer(message(3))).toBe('held');
    expect(delivered).toEqual([1]);
    clock.advance(499);
    expect(sequencer.offer(message(2))).toBe('delivered');
    expect(delivered).toEqual([1, 2, 3]);
    clock.advance(10_000);
    expect(gapsAtMs).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('reports a gap that lasts gapWaitMs, then again every gapWaitMs until it is filled', () => {
    const { delivered, gapsAtMs, sequencer, clock } = setup();
    sequencer.offer(message(1));
    sequencer.offer(message(4));
    clock.advance(200);
    sequencer.offer(message(5)); // a later arrival does not restart the wait
    clock.advance(1100);
    expect(gapsAtMs).toEqual([500, 1000]);
    sequencer.offer(message(3));
    sequencer.offer(message(2));
    expect(delivered).toEqual([1, 2, 3, 4, 5]);
    clock.advance(5000);
    expect(gapsAtMs).toEqual([500, 1000]);
  });

  it('drops duplicates: seqs already delivered and seqs already held', () => {
    const { delivered, sequencer } = setup();
    sequencer.offer(message(1));
    sequencer.offer(message(3));
    expect([sequencer.offer(message(1)), sequencer.offer(message(3))]).toEqual(['duplicate', 'duplicate']);
    sequencer.offer(message(2));
    expect(delivered).toEqual([1, 2, 3]);
  });

  it('holds at most maxHeld messages; the rest are dropped (the gap fetch brings them)', () => {
    const { sequencer } = setup({ maxHeld: 2 });
    expect([3, 4, 5].map((seq) => sequencer.offer(message(seq)))).toEqual(['held', 'held', 'dropped']);
    expect(sequencer.heldCount()).toBe(2);
  });

  it('continues after a skipped range (history truncated), delivering what it held beyond it', () => {
    const { delivered, sequencer } = setup();
    sequencer.offer(message(12));
    sequencer.offer(message(11));
    sequencer.skipTo(10);
    expect(delivered).toEqual([11, 12]);
    expect(sequencer.lastSeq()).toBe(12);
  });

  it('starts from the last seq the app stored, and from 0 again after a reset (new epoch)', () => {
    const { delivered, sequencer, clock } = setup({ lastSeq: 7 });
    expect(sequencer.offer(message(7))).toBe('duplicate');
    sequencer.offer(message(8));
    sequencer.offer(message(10));
    sequencer.reset();
    expect(clock.pendingTimers()).toBe(0);
    sequencer.offer(message(1));
    expect(delivered).toEqual([8, 1]);
  });

  it('delivers every seq exactly once, in order, for any arrival order with duplicates (property)', () => {
    const arrivals = fc.integer({ min: 1, max: 60 }).chain((n) =>
      fc
        .tuple(fc.shuffledSubarray(range(n), { minLength: n, maxLength: n }), fc.array(fc.integer({ min: 1, max: n }), { maxLength: 30 }))
        .chain(([all, dups]) => fc.shuffledSubarray([...all, ...dups], { minLength: all.length + dups.length }))
        .map((order) => ({ n, order })),
    );
    fc.assert(
      fc.property(arrivals, ({ n, order }) => {
        const { delivered, sequencer, clock } = setup();
        for (const seq of order) sequencer.offer(message(seq));
        expect(delivered).toEqual(range(n));
        expect(clock.pendingTimers()).toBe(0);
      }),
    );
  });

  it('with messages lost on the way, still delivers every seq once and in order once the gap fetch supplies them (property)', () => {
    const scenario = fc.integer({ min: 1, max: 40 }).chain((n) =>
      fc.record({
        n: fc.constant(n),
        live: fc.shuffledSubarray(range(n)), // what arrives live, in this order; the rest is lost
        delaysMs: fc.array(fc.integer({ min: 0, max: 300 }), { minLength: n, maxLength: n }),
      }),
    );
    fc.assert(
      fc.property(scenario, ({ n, live, delaysMs }) => {
        // The REST gap fetch answers with everything after the last delivered seq.
        const history = range(n).map(message);
        const { delivered, sequencer, clock } = setup({}, () => history.forEach((m) => sequencer.offer(m)));
        live.forEach((seq, i) => {
          clock.advance(delaysMs[i]!);
          sequencer.offer(message(seq));
        });
        clock.advance(500);
        expect(delivered).toEqual(range(delivered.length)); // in order, each once, no holes
        // Whatever arrived is delivered. (A lost tail with nothing after it is no gap the sequencer can see:
        // the catch-up on the next connect fetches it.)
        expect(delivered.length).toBeGreaterThanOrEqual(Math.max(0, ...live));
      }),
    );
  });
});

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}
