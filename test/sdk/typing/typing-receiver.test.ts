import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTypingReceiver, TYPING_EXPIRY_MS, type TypingReceiverOptions } from '../../../sdk/src/typing/typing-receiver.js';
import { TYPING_IDLE_STOP_MS } from '../../../sdk/src/typing/typing-sender.js';
import { TypingState } from '@mqtt-chat/protocol';
import { createVirtualClock } from '../../../devtools/index.js';
import { burstsOf, simulate, timedInputs, type TimedInput } from './typing-simulation.js';

const { TYPING_STATE_START: START, TYPING_STATE_RENEW: RENEW, TYPING_STATE_STOP: STOP } = TypingState;

function setup(options: TypingReceiverOptions = {}) {
  const clock = createVirtualClock();
  const changes: [atMs: number, userIds: string[]][] = [];
  const receiver = createTypingReceiver({ clock, onChange: (userIds) => changes.push([clock.now(), userIds]) }, options);
  return { clock, changes, receiver };
}

describe('typing receiver', () => {
  it('expires a typing state 5 s after its last START or RENEW', () => {
    expect(TYPING_EXPIRY_MS).toBe(5000);
    const { clock, changes, receiver } = setup();
    receiver.receive({ state: START, userId: 'bob' });
    clock.advance(3000);
    receiver.receive({ state: RENEW, userId: 'bob' });
    clock.advance(4999);
    expect(receiver.typingUsers()).toEqual(['bob']);
    clock.advance(1);
    expect(receiver.typingUsers()).toEqual([]);
    expect(changes).toEqual([
      [0, ['bob']],
      [8000, []],
    ]);
  });

  it('clears a user at once on STOP, and nothing fires later', () => {
    const { clock, changes, receiver } = setup();
    receiver.receive({ state: START, userId: 'bob' });
    clock.advance(700);
    receiver.receive({ state: STOP, userId: 'bob' });
    expect(receiver.typingUsers()).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
    clock.advance(10_000);
    expect(changes).toEqual([
      [0, ['bob']],
      [700, []],
    ]);
  });

  it('tracks users independently, in the order they started', () => {
    const { clock, changes, receiver } = setup();
    receiver.receive({ state: START, userId: 'bob' });
    clock.advance(1000);
    receiver.receive({ state: START, userId: 'carol' });
    clock.advance(1000);
    receiver.receive({ state: STOP, userId: 'bob' });
    expect(receiver.typingUsers()).toEqual(['carol']);
    clock.advance(4000); // carol expires 5 s after her START
    expect(changes).toEqual([
      [0, ['bob']],
      [1000, ['bob', 'carol']],
      [2000, ['carol']],
      [6000, []],
    ]);
  });

  it('calls onChange only when the list changes', () => {
    const { clock, changes, receiver } = setup();
    receiver.receive({ state: STOP, userId: 'bob' }); // not typing: no change
    receiver.receive({ state: START, userId: 'bob' });
    clock.advance(1000);
    receiver.receive({ state: RENEW, userId: 'bob' });
    receiver.receive({ state: START, userId: 'bob' }); // a duplicate START only extends
    expect(changes).toEqual([[0, ['bob']]]);
  });

  it('shows a user on RENEW when their START was lost', () => {
    const { receiver } = setup();
    receiver.receive({ state: RENEW, userId: 'bob' });
    expect(receiver.typingUsers()).toEqual(['bob']);
  });

  it('ignores its own user, an empty user id and an unspecified state', () => {
    const { clock, changes, receiver } = setup({ selfUserId: 'alice' });
    receiver.receive({ state: START, userId: 'alice' });
    receiver.receive({ state: START, userId: '' });
    receiver.receive({ state: TypingState.TYPING_STATE_UNSPECIFIED, userId: 'bob' });
    expect(receiver.typingUsers()).toEqual([]);
    expect(changes).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('takes its expiry from the options, and rejects one that is not positive', () => {
    const { clock, receiver } = setup({ expiryMs: 200 });
    receiver.receive({ state: START, userId: 'bob' });
    clock.advance(200);
    expect(receiver.typingUsers()).toEqual([]);
    expect(() => createTypingReceiver({ clock }, { expiryMs: -1 })).toThrow(/expiryMs/);
  });

  it('returns a copy of the list', () => {
    const { receiver } = setup();
    receiver.receive({ state: START, userId: 'bob' });
    receiver.typingUsers().pop();
    expect(receiver.typingUsers()).toEqual(['bob']);
  });

  it('cancels every expiry on dispose and ignores later events', () => {
    const { clock, changes, receiver } = setup();
    receiver.receive({ state: START, userId: 'bob' });
    receiver.dispose();
    expect(clock.pendingTimers()).toBe(0);
    receiver.receive({ state: START, userId: 'carol' });
    clock.advance(10_000);
    expect(receiver.typingUsers()).toEqual([]);
    expect(changes).toEqual([[0, ['bob']]]);
  });
});

function lastKeystrokeAtOrBefore(inputs: TimedInput[], atMs: number): number {
  return Math.max(...inputs.filter((i) => i.kind === 'keystroke' && i.atMs <= atMs).map((i) => i.atMs));
}

describe('typing receiver fed by the sender, zero network delay', () => {
  it('shows the user exactly during each burst, from its first keystroke (0 ms) to ≤ 1 s after its last', () => {
    fc.assert(
      fc.property(timedInputs, (inputs) => {
        const { changes, shownAfterKeystroke } = simulate(inputs);
        const bursts = burstsOf(inputs);
        expect(changes).toEqual(
          bursts.flatMap((b) => [
            { atMs: b.firstKeyMs, typing: true },
            { atMs: b.endMs, typing: false },
          ]),
        );
        for (const burst of bursts) expect(burst.endMs - burst.lastKeyMs).toBeLessThanOrEqual(TYPING_IDLE_STOP_MS);
        expect(shownAfterKeystroke.every(Boolean)).toBe(true); // so never expired mid-burst
      }),
    );
  });

  it('never shows the user more than 5 s after their last keystroke, whatever packets are lost', () => {
    fc.assert(
      fc.property(timedInputs, fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }), (inputs, lossPattern) => {
        const isLost = (i: number): boolean => lossPattern[i % lossPattern.length]!;
        const { changes } = simulate(inputs, { isLost });
        expect(changes.at(-1)?.typing ?? false).toBe(false); // every shown interval closed
        for (const { atMs, typing } of changes) {
          const sinceKeystrokeMs = atMs - lastKeystrokeAtOrBefore(inputs, atMs);
          if (typing)
            expect(sinceKeystrokeMs).toBe(0); // shown only on a keystroke's own packet
          else expect(sinceKeystrokeMs).toBeLessThanOrEqual(TYPING_EXPIRY_MS);
        }
      }),
    );
  });
});
