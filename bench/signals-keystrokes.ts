/**
 * A user typing 300 characters a minute for a minute, as timed inputs for the typing sender:
 * messages of a few dozen characters typed in runs of quick keystrokes, with short hesitations
 * (under the sender's 1 s STOP debounce), now and then a pause to think (over it, so STOP and a
 * new START go out), each message sent, then a pause to read the reply. Seeded, so a run can be
 * repeated exactly.
 */

export type InputKind = 'keystroke' | 'messageSent';

export interface TimedInput {
  atMs: number;
  kind: InputKind;
}

export interface TypingSessionOptions {
  keystrokes: number;
  /** From the first keystroke to the last. */
  durationMs: number;
}

// The process, before the quick gaps are stretched to fit the minute. Synthetic
// (docs/mobile-realities.md#typing-and-presence-timings has typing-indicator timers but no
// keystroke timings): quick gaps are a floor plus an exponential tail, ~110 ms mean within a run;
// pauses are drawn uniformly from their ranges.
const QUICK_GAP_FLOOR_MS = 40;
const QUICK_GAP_MEAN_EXTRA_MS = 70;
/** A quick gap never grows past this, so even stretched (at most 2x) it stays under the 1 s STOP debounce. */
const QUICK_GAP_CAP_MS = 400;
const HESITATION_PROBABILITY = 0.04;
const HESITATION_MS: Range = [400, 900];
const THINKING_PROBABILITY = 0.01;
const THINKING_MS: Range = [1_200, 4_000];
const MESSAGE_CHARS: Range = [40, 100];
const SEND_AFTER_LAST_KEY_MS: Range = [200, 600];
const READING_PAUSE_MS: Range = [1_500, 4_000];
/** How far the quick gaps may be stretched or squeezed before the minute stops looking like typing. */
const STRETCH_LIMITS: Range = [0.5, 2];

type Range = readonly [min: number, max: number];

/** The gap before a keystroke; a `sendAfterMs` gap ends a message: sent that long after its last key. */
interface Gap {
  ms: number;
  isQuick: boolean;
  sendAfterMs?: number;
}

export interface TypingSession {
  inputs: TimedInput[];
  /** Mean quick gap after fitting the minute: the typing speed within a run. */
  meanQuickGapMs: number;
}

export function generateTypingSession(random: () => number, options: TypingSessionOptions): TypingSession {
  const between = ([min, max]: Range) => min + random() * (max - min);
  const gaps: Gap[] = [];
  let charsLeft = Math.round(between(MESSAGE_CHARS));
  for (let key = 1; key < options.keystrokes; key++) {
    charsLeft -= 1;
    if (charsLeft <= 0) {
      charsLeft = Math.round(between(MESSAGE_CHARS));
      const sendAfterMs = between(SEND_AFTER_LAST_KEY_MS);
      gaps.push({ ms: sendAfterMs + between(READING_PAUSE_MS), isQuick: false, sendAfterMs });
      continue;
    }
    const draw = random();
    if (draw < THINKING_PROBABILITY) gaps.push({ ms: between(THINKING_MS), isQuick: false });
    else if (draw < THINKING_PROBABILITY + HESITATION_PROBABILITY) gaps.push({ ms: between(HESITATION_MS), isQuick: false });
    else
      gaps.push({ ms: Math.min(QUICK_GAP_CAP_MS, QUICK_GAP_FLOOR_MS - QUICK_GAP_MEAN_EXTRA_MS * Math.log(1 - random())), isQuick: true });
  }
  const stretch = stretchToFit(gaps, options.durationMs);
  const inputs: TimedInput[] = [{ atMs: 0, kind: 'keystroke' }];
  let atMs = 0;
  for (const gap of gaps) {
    if (gap.sendAfterMs !== undefined) inputs.push({ atMs: atMs + gap.sendAfterMs, kind: 'messageSent' });
    atMs += gap.isQuick ? gap.ms * stretch : gap.ms;
    inputs.push({ atMs, kind: 'keystroke' });
  }
  // The last message is sent too: the minute ends with the user pressing send.
  inputs.push({ atMs: atMs + between(SEND_AFTER_LAST_KEY_MS), kind: 'messageSent' });
  const quick = gaps.filter((g) => g.isQuick);
  return { inputs, meanQuickGapMs: (stretch * quick.reduce((sum, g) => sum + g.ms, 0)) / quick.length };
}

/** The factor on the quick gaps that makes all gaps add up to `durationMs`; pauses keep their drawn length. */
function stretchToFit(gaps: readonly Gap[], durationMs: number): number {
  const quickMs = gaps.reduce((sum, g) => sum + (g.isQuick ? g.ms : 0), 0);
  const pausesMs = gaps.reduce((sum, g) => sum + (g.isQuick ? 0 : g.ms), 0);
  const stretch = (durationMs - pausesMs) / quickMs;
  if (!(stretch >= STRETCH_LIMITS[0] && stretch <= STRETCH_LIMITS[1])) {
    throw new RangeError(
      `this seed draws ${(pausesMs / 1000).toFixed(1)} s of pauses, which leaves an implausible typing speed for the minute; pick another --seed`,
    );
  }
  return stretch;
}
