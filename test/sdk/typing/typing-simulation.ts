/**
 * A sender wired to a receiver on one fake clock with zero network delay, plus a model of the
 * typing bursts worked out from the inputs alone, without the sender: what the property tests
 * of both sides check the machines against.
 */
import fc from 'fast-check';
import { createTypingReceiver } from '../../../sdk/src/typing/typing-receiver.js';
import { createTypingSender, TYPING_IDLE_STOP_MS, type TypingSenderOptions } from '../../../sdk/src/typing/typing-sender.js';
import type { TypingState } from '@mqtt-chat/protocol';
import { createVirtualClock } from '../../../devtools/index.js';

export const USER_ID = 'alice';

export type InputKind = 'keystroke' | 'messageSent' | 'inputCleared';
export interface TimedInput {
  atMs: number;
  kind: InputKind;
}
export interface Packet {
  atMs: number;
  state: TypingState;
}

/** Keystrokes between `firstKeyMs` and `lastKeyMs`, each under `idleStopMs` after the previous, no send or clear between. */
export interface Burst {
  firstKeyMs: number;
  lastKeyMs: number;
  /** When it ends: `lastKeyMs + idleStopMs`, or earlier at a send or clear. */
  endMs: number;
}

/** Typing speed: mostly fast, sometimes hesitating right at the thresholds. */
const keyGapMs = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 400 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 999, 1000, 2999, 3000, 3001) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 1500 }) },
);
/** Pauses between runs of typing, around every threshold of sender and receiver. */
const pauseMs = fc.oneof(fc.constantFrom(0, 999, 1000, 1001, 3999, 4000, 4999, 5000, 5001), fc.integer({ min: 0, max: 8000 }));
const run = fc.record({
  keyGapsMs: fc.array(keyGapMs, { minLength: 1, maxLength: 80 }),
  then: fc.constantFrom<InputKind | 'pause'>('pause', 'pause', 'messageSent', 'inputCleared'),
  thenAfterMs: keyGapMs,
  pauseMs,
});

/**
 * Inputs in time order: runs of keystrokes (some tens of seconds long), each perhaps followed by
 * a send or a clear (sometimes after the idle STOP already went), then a pause.
 */
export const timedInputs: fc.Arbitrary<TimedInput[]> = fc.array(run, { maxLength: 8 }).map((runs) => {
  const inputs: TimedInput[] = [];
  let atMs = 0;
  for (const { keyGapsMs, then, thenAfterMs, pauseMs } of runs) {
    for (const gapMs of keyGapsMs) inputs.push({ atMs: (atMs += gapMs), kind: 'keystroke' });
    if (then !== 'pause') inputs.push({ atMs: (atMs += thenAfterMs), kind: then });
    atMs += pauseMs;
  }
  return inputs;
});

/** Sender options other than the defaults, for the laws that hold for any positive values. */
export const senderOptions: fc.Arbitrary<Required<TypingSenderOptions>> = fc.record({
  renewIntervalMs: fc.integer({ min: 1, max: 6000 }),
  idleStopMs: fc.integer({ min: 1, max: 4000 }),
});

export function burstsOf(inputs: TimedInput[], idleStopMs = TYPING_IDLE_STOP_MS): Burst[] {
  const bursts: Burst[] = [];
  let open: Omit<Burst, 'endMs'> | undefined;
  const close = (endMs: number): void => {
    if (open !== undefined) bursts.push({ ...open, endMs });
    open = undefined;
  };
  for (const { atMs, kind } of inputs) {
    // Timers due at an input's time run before the input (the fake clock's order, and the sender's).
    if (open !== undefined && atMs >= open.lastKeyMs + idleStopMs) close(open.lastKeyMs + idleStopMs);
    if (kind !== 'keystroke') close(atMs);
    else if (open !== undefined) open.lastKeyMs = atMs;
    else open = { firstKeyMs: atMs, lastKeyMs: atMs };
  }
  if (open !== undefined) close(open.lastKeyMs + idleStopMs);
  return bursts;
}

export interface Simulation {
  /** Everything the sender emitted. */
  packets: Packet[];
  /** The receiver's onChange calls: whether it showed the user, from when. */
  changes: { atMs: number; typing: boolean }[];
  /** For each keystroke: did the receiver show the user right after it, at the same instant? */
  shownAfterKeystroke: boolean[];
}

/** Runs the inputs, then lets every timer fire; `isLost(i)` drops the i-th packet on the way. */
export function simulate(
  inputs: TimedInput[],
  options: { sender?: TypingSenderOptions; isLost?: (packetIndex: number) => boolean } = {},
): Simulation {
  const clock = createVirtualClock();
  const simulation: Simulation = { packets: [], changes: [], shownAfterKeystroke: [] };
  const receiver = createTypingReceiver({
    clock,
    onChange: (userIds) => simulation.changes.push({ atMs: clock.now(), typing: userIds.includes(USER_ID) }),
  });
  const emit = (state: TypingState): void => {
    const index = simulation.packets.push({ atMs: clock.now(), state }) - 1;
    if (options.isLost?.(index) !== true) receiver.receive({ state, userId: USER_ID });
  };
  const sender = createTypingSender({ clock, emit }, options.sender);
  for (const input of inputs) {
    clock.advanceTo(input.atMs);
    sender[input.kind]();
    if (input.kind === 'keystroke') simulation.shownAfterKeystroke.push(receiver.typingUsers().includes(USER_ID));
  }
  clock.advance(60_000);
  return simulation;
}
