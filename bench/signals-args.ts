/** Command-line options of bench:signals, parsed once and validated, so a typo fails with the flag's name. */
import { parseArgs } from 'node:util';
import { positiveInteger, positiveNumber } from '../devtools/index.js';

/** The wire check (part 2b) needs a sender and two receivers in the small room. */
const MIN_SMALL_ROOM_MEMBERS = 3;
/** The platform's TYPING_RATE_PER_SECOND cannot go higher (lib/config.ts), and the limit must not drop the bench's events. */
const MAX_EVENTS_PER_SECOND = 1000;

export interface SignalsOptions {
  /** Seed of the simulated typist; undefined: drawn at random (and printed). */
  seed: number | undefined;
  /** Length of each measured relay window (and of the idle baseline). */
  windowSeconds: number;
  smallRoomMembers: number;
  largeRoomMembers: number;
  smallRoomEventsPerSecond: number;
  largeRoomEventsPerSecond: number;
}

export const USAGE = `usage: npm run bench:signals -- [options]
  --seed N           seed of the simulated typist (default: random, printed)
  --seconds S        measured seconds per relay window and for the idle baseline (default 10)
  --small-room N     members of the small room (default 10, at least ${MIN_SMALL_ROOM_MEMBERS})
  --large-room N     members of the large room (default 1000; at least the small room)
  --small-rate R     typing events/s published to the small room (default 800, at most ${MAX_EVENTS_PER_SECOND})
  --large-rate R     typing events/s published to the large room (default 10, at most ${MAX_EVENTS_PER_SECOND})
The defaults give both rooms a similar delivery rate (8,000 and 10,000/s): CPU per event falls as the pace
rises, because a busier broker shares the cost of each wake-up among more events.`;

export function parseSignalsArgs(argv: readonly string[]): SignalsOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      seed: { type: 'string' },
      seconds: { type: 'string', default: '10' },
      'small-room': { type: 'string', default: '10' },
      'large-room': { type: 'string', default: '1000' },
      'small-rate': { type: 'string', default: '800' },
      'large-rate': { type: 'string', default: '10' },
    },
  });
  const options: SignalsOptions = {
    seed: values.seed === undefined ? undefined : seed(values.seed),
    windowSeconds: positiveNumber('--seconds', values.seconds),
    smallRoomMembers: positiveInteger('--small-room', values['small-room']),
    largeRoomMembers: positiveInteger('--large-room', values['large-room']),
    smallRoomEventsPerSecond: rate('--small-rate', values['small-rate']),
    largeRoomEventsPerSecond: rate('--large-rate', values['large-rate']),
  };
  if (options.smallRoomMembers < MIN_SMALL_ROOM_MEMBERS)
    throw new RangeError(
      `--small-room must be at least ${MIN_SMALL_ROOM_MEMBERS} (a sender and two receivers), got ${options.smallRoomMembers}`,
    );
  // The small room is the large room's first members (one connection per member serves both).
  if (options.largeRoomMembers < options.smallRoomMembers)
    throw new RangeError(`--large-room (${options.largeRoomMembers}) must be at least --small-room (${options.smallRoomMembers})`);
  return options;
}

function rate(flag: string, text: string): number {
  const value = positiveNumber(flag, text);
  if (value > MAX_EVENTS_PER_SECOND) throw new RangeError(`${flag} must be at most ${MAX_EVENTS_PER_SECOND}, got ${value}`);
  return value;
}

function seed(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0 || value > 0xffff_ffff)
    throw new RangeError(`--seed must be an integer in 0..${0xffff_ffff}, got ${JSON.stringify(text)}`);
  return value;
}
