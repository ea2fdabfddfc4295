/**
 * Part 1 of bench:signals: the SDK's real typing sender, driven by a simulated typist on a
 * virtual clock, so a minute of typing takes microseconds and every run of a seed is the same.
 * The budget is worked out from the inputs alone, not from what the sender did.
 */
import { createTypingSender, TYPING_IDLE_STOP_MS, TYPING_RENEW_INTERVAL_MS } from '@mqtt-chat/sdk';
import { createVirtualClock } from '../devtools/index.js';
import { TypingState } from '../schema/index.js';
import type { TimedInput } from './signals-keystrokes.js';

export interface TypingMinuteResult {
  keystrokes: number;
  messagesSent: number;
  /** Gaps between keystrokes long enough for the idle STOP, other than after a send. */
  longPauses: number;
  /** First keystroke to last. */
  spanMs: number;
  /** Runs of keystrokes the sender sees as one burst: no gap of `idleStopMs` and no send inside. */
  bursts: number;
  /** Sum over bursts of first-to-last keystroke. */
  activityMs: number;
  packets: Record<'start' | 'renew' | 'stop', number>;
  /** Issue's aim: START and STOP per burst, plus one packet per 3 s of activity. */
  budgetPackets: number;
}

export function simulateTypingMinute(inputs: readonly TimedInput[]): TypingMinuteResult {
  const clock = createVirtualClock();
  const packets = { start: 0, renew: 0, stop: 0 };
  const emit = (state: TypingState) => {
    if (state === TypingState.TYPING_STATE_START) packets.start += 1;
    else if (state === TypingState.TYPING_STATE_RENEW) packets.renew += 1;
    else if (state === TypingState.TYPING_STATE_STOP) packets.stop += 1;
  };
  const sender = createTypingSender({ clock, emit });
  for (const input of inputs) {
    clock.advanceTo(input.atMs);
    sender[input.kind]();
  }
  const lastAtMs = inputs[inputs.length - 1]?.atMs ?? 0;
  clock.advanceTo(lastAtMs + TYPING_IDLE_STOP_MS); // a pending STOP goes out
  return { ...burstsOf(inputs), packets };
}

/** The sender's bursts, worked out from the inputs the way its debounce sees them. */
function burstsOf(inputs: readonly TimedInput[]): Omit<TypingMinuteResult, 'packets'> {
  const keys = inputs.filter((i) => i.kind === 'keystroke');
  let bursts = 0;
  let activityMs = 0;
  let longPauses = 0;
  let burstFirstMs: number | undefined;
  let lastKeyMs = 0;
  const closeBurst = () => {
    if (burstFirstMs !== undefined) activityMs += lastKeyMs - burstFirstMs;
    burstFirstMs = undefined;
  };
  for (const input of inputs) {
    if (input.kind === 'messageSent') {
      closeBurst();
      continue;
    }
    // A timer due at an input's time runs first, so a gap of exactly idleStopMs ends the burst.
    const isLongPause = burstFirstMs !== undefined && input.atMs - lastKeyMs >= TYPING_IDLE_STOP_MS;
    if (isLongPause) {
      longPauses += 1;
      closeBurst();
    }
    if (burstFirstMs === undefined) {
      bursts += 1;
      burstFirstMs = input.atMs;
    }
    lastKeyMs = input.atMs;
  }
  closeBurst();
  return {
    keystrokes: keys.length,
    messagesSent: inputs.length - keys.length,
    longPauses,
    spanMs: keys.length === 0 ? 0 : keys[keys.length - 1]!.atMs - keys[0]!.atMs,
    bursts,
    activityMs,
    budgetPackets: bursts * 2 + Math.floor(activityMs / TYPING_RENEW_INTERVAL_MS),
  };
}
