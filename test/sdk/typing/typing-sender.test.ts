import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createTypingSender,
  TYPING_IDLE_STOP_MS,
  TYPING_RENEW_INTERVAL_MS,
  type TypingSenderOptions,
} from '../../../sdk/src/typing/typing-sender.js';
import { TypingState } from '@mqtt-chat/protocol';
import { createVirtualClock } from '../../../devtools/index.js';
import { burstsOf, senderOptions, simulate, timedInputs, type Packet, type TimedInput } from './typing-simulation.js';

const { TYPING_STATE_START: START, TYPING_STATE_RENEW: RENEW, TYPING_STATE_STOP: STOP } = TypingState;

function setup(options: TypingSenderOptions = {}) {
  const clock = createVirtualClock();
  const sent: [atMs: number, state: TypingState][] = [];
  const sender = createTypingSender({ clock, emit: (state) => sent.push([clock.now(), state]) }, options);
  return { clock, sent, sender };
}

describe('typing sender', () => {
  it('has a 3 s renew interval and a 1 s idle stop by default', () => {
    expect([TYPING_RENEW_INTERVAL_MS, TYPING_IDLE_STOP_MS]).toEqual([3000, 1000]);
  });

  it('sends START on a single keystroke, then STOP exactly 1 s later', () => {
    const { clock, sent, sender } = setup();
    sender.keystroke();
    expect(sent).toEqual([[0, START]]);
    clock.advance(999);
    expect(sent).toEqual([[0, START]]);
    clock.advance(1);
    expect(sent).toEqual([
      [0, START],
      [1000, STOP],
    ]);
    expect(sender.isTyping()).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('sends START, RENEW at 3, 6 and 9 s, and STOP 1 s after the last key for 10 s of typing at 5 keys/s', () => {
    const { clock, sent, sender } = setup();
    for (let key = 0; key < 50; key++) {
      clock.advanceTo(key * 200);
      sender.keystroke();
    }
    clock.advance(5000);
    expect(sent).toEqual([
      [0, START],
      [3000, RENEW],
      [6000, RENEW],
      [9000, RENEW],
      [10_800, STOP],
    ]);
  });

  it('renews on the first keystroke at least 3 s after the last START or RENEW, not on a timer', () => {
    const { clock, sent, sender } = setup();
    for (const atMs of [0, 900, 1800, 2700, 2999, 3600, 4500, 5400, 6300, 6599]) {
      clock.advanceTo(atMs);
      sender.keystroke();
    }
    expect(sent).toEqual([
      [0, START],
      [3600, RENEW], // the first keystroke at ≥ 3000; the next RENEW is due from 6600
    ]);
    clock.advanceTo(6600);
    sender.keystroke();
    expect(sent.at(-1)).toEqual([6600, RENEW]);
  });

  it('debounces STOP: each keystroke pushes it to 1 s after that keystroke', () => {
    const { clock, sent, sender } = setup();
    for (const atMs of [0, 900, 1800]) {
      clock.advanceTo(atMs);
      sender.keystroke();
    }
    clock.advanceTo(2799);
    expect(sent).toEqual([[0, START]]);
    clock.advanceTo(2800);
    expect(sent).toEqual([
      [0, START],
      [2800, STOP],
    ]);
  });

  it.each(['messageSent', 'inputCleared'] as const)('sends STOP at once on %s, and no STOP later', (event) => {
    const { clock, sent, sender } = setup();
    sender.keystroke();
    clock.advance(400);
    sender[event]();
    expect(sent).toEqual([
      [0, START],
      [400, STOP],
    ]);
    expect(clock.pendingTimers()).toBe(0);
    clock.advance(10_000);
    expect(sent).toHaveLength(2);
  });

  it.each(['messageSent', 'inputCleared'] as const)('sends nothing on %s while not typing', (event) => {
    const { clock, sent, sender } = setup();
    sender[event]();
    sender.keystroke();
    clock.advance(1000);
    sender[event]();
    expect(sent).toEqual([
      [0, START],
      [1000, STOP],
    ]);
  });

  it('starts a new burst with START after a STOP, even at the same instant', () => {
    const { clock, sent, sender } = setup();
    sender.keystroke();
    clock.advance(1000); // the idle STOP fires at 1000 ...
    sender.keystroke(); // ... before this keystroke at 1000
    clock.advance(200);
    sender.messageSent();
    sender.keystroke();
    expect(sent.map(([, state]) => state)).toEqual([START, STOP, START, STOP, START]);
  });

  it('takes its intervals from the options', () => {
    const { clock, sent, sender } = setup({ renewIntervalMs: 500, idleStopMs: 300 });
    for (const atMs of [0, 250, 500, 750, 1000]) {
      clock.advanceTo(atMs);
      sender.keystroke();
    }
    clock.advance(1000);
    expect(sent).toEqual([
      [0, START],
      [500, RENEW],
      [1000, RENEW],
      [1300, STOP],
    ]);
  });

  it('rejects intervals that are not positive', () => {
    const clock = createVirtualClock();
    const emit = (): void => undefined;
    expect(() => createTypingSender({ clock, emit }, { renewIntervalMs: 0 })).toThrow(/renewIntervalMs/);
    expect(() => createTypingSender({ clock, emit }, { idleStopMs: Number.NaN })).toThrow(/idleStopMs/);
  });

  it('cancels the pending STOP on dispose and ignores later calls', () => {
    const { clock, sent, sender } = setup();
    sender.keystroke();
    sender.dispose();
    expect(clock.pendingTimers()).toBe(0);
    clock.advance(5000);
    sender.keystroke();
    sender.messageSent();
    expect(sent).toEqual([[0, START]]);
  });
});

/** Splits the packets into the bursts they announce, each opened by a START. */
function packetBursts(packets: Packet[]): Packet[][] {
  const groups: Packet[][] = [];
  for (const packet of packets) {
    if (packet.state === START) groups.push([packet]);
    else groups.at(-1)?.push(packet);
  }
  return groups;
}

const renewCount = (group: Packet[]): number => group.filter((p) => p.state === RENEW).length;

describe('typing sender laws, over arbitrary keystroke times, sends and clears', () => {
  /*
   * Budget. Bursts come from the inputs alone (see burstsOf): B bursts, burst i spanning
   * d_i = lastKey_i − firstKey_i. Then, once every timer has run:
   *
   *   packets = Σ_i (2 + r_i)  with  r_i ≤ ⌊d_i / R⌋,  so  packets ≤ 2·B + Σ_i ⌊d_i / R⌋.
   *
   * Proof: RENEWs go out only on keystrokes of the burst, the first ≥ R after its START at
   * firstKey_i and each ≥ R after the previous, the last at or before lastKey_i; so
   * firstKey_i + r_i·R ≤ lastKey_i.
   */
  function checkBudget(inputs: TimedInput[], options: Required<TypingSenderOptions>): void {
    const { packets } = simulate(inputs, { sender: options });
    const bursts = burstsOf(inputs, options.idleStopMs);
    const groups = packetBursts(packets);
    expect(groups).toHaveLength(bursts.length);
    let budget = 0;
    bursts.forEach((burst, i) => {
      const renewBudget = Math.floor((burst.lastKeyMs - burst.firstKeyMs) / options.renewIntervalMs);
      expect(renewCount(groups[i]!)).toBeLessThanOrEqual(renewBudget);
      budget += 2 + renewBudget;
    });
    expect(packets.length).toBeLessThanOrEqual(budget);
  }

  it('never sends more than 2 per burst plus ⌊burst span / 3 s⌋ RENEWs', () => {
    const defaults = { renewIntervalMs: TYPING_RENEW_INTERVAL_MS, idleStopMs: TYPING_IDLE_STOP_MS };
    fc.assert(fc.property(timedInputs, (inputs) => checkBudget(inputs, defaults)));
  });

  it('keeps that budget for any positive renew and idle intervals', () => {
    fc.assert(fc.property(timedInputs, senderOptions, checkBudget));
  });

  it('alternates START (RENEW*) STOP, with START at the first key and STOP at the end of each burst', () => {
    fc.assert(
      fc.property(timedInputs, (inputs) => {
        const { packets } = simulate(inputs);
        let typing = false;
        for (const { state } of packets) {
          expect(state === START ? !typing : typing).toBe(true); // no STOP or RENEW without START, no START twice
          typing = state !== STOP;
        }
        expect(typing).toBe(false);
        const edges = packets.filter((p) => p.state !== RENEW);
        const expected = burstsOf(inputs).flatMap((b) => [
          { atMs: b.firstKeyMs, state: START },
          { atMs: b.endMs, state: STOP },
        ]);
        expect(edges).toEqual(expected);
      }),
    );
  });

  it('announces on keystrokes only, at least R apart, and sends its next packet within R + idle (no gap a 5 s expiry sees)', () => {
    fc.assert(
      fc.property(timedInputs, senderOptions, (inputs, options) => {
        const keystrokeTimes = new Set(inputs.filter((i) => i.kind === 'keystroke').map((i) => i.atMs));
        for (const group of packetBursts(simulate(inputs, { sender: options }).packets)) {
          for (const [i, packet] of group.entries()) {
            const next = group[i + 1];
            if (packet.state === STOP || next === undefined) continue;
            expect(keystrokeTimes.has(packet.atMs)).toBe(true);
            expect(next.atMs - packet.atMs).toBeLessThan(options.renewIntervalMs + options.idleStopMs);
            if (next.state === RENEW) expect(next.atMs - packet.atMs).toBeGreaterThanOrEqual(options.renewIntervalMs);
          }
        }
      }),
    );
  });
});
