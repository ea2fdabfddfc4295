/** Command-line options of bench:broker, parsed once and validated, so a typo fails with the flag's name. */
import { parseArgs } from 'node:util';
import { positiveInteger, positiveNumber } from '../devtools/index.js';

export const BROKERS = ['platform', 'aedes', 'mosquitto'] as const;
export type BrokerName = (typeof BROKERS)[number];

/** The platform's TYPING_RATE_PER_SECOND cannot go higher (lib/config.ts). */
const MAX_TYPIST_RATE = 1000;

export interface BrokerBenchOptions {
  windowSeconds: number;
  smallRoomMembers: number;
  largeRoomMembers: number;
  /** Typing events/s of the fixed-rate phase (one typist, small room). */
  fixedEventsPerSecond: number;
  typists: number;
  inFlightDeliveries: number;
  runs: number;
  brokers: BrokerName[];
  /** Where the Node brokers write a V8 CPU profile each (node --cpu-prof), or undefined. */
  cpuProfileDir: string | undefined;
}

export const USAGE = `usage: npm run bench:broker -- [options]
  --seconds S        measured seconds per phase and for the idle baseline (default 6)
  --small-room N     members of the small room (default 10)
  --large-room N     members of the large room (default 100)
  --rate R           typing events/s of the fixed-rate phase, small room (default 1000: 10k deliveries/s; at most ${MAX_TYPIST_RATE})
  --typists N        typist connections of the saturated phases, published to in turn (default 20)
  --in-flight N      deliveries published but not yet received, saturated phases (default 4000)
  --runs N           runs, brokers interleaved A/B/C, medians printed (default 1; 3 for figures to keep)
  --cpu-prof DIR     the platform and plain Aedes write a CPU profile each into DIR (open in Chrome DevTools)
  --only LIST        brokers to run, comma-separated from ${BROKERS.join(',')} (default all)
Defaults take about 2 minutes; --seconds 15 --runs 3 about 15.`;

export function parseBrokerBenchArgs(argv: readonly string[]): BrokerBenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      seconds: { type: 'string', default: '6' },
      'small-room': { type: 'string', default: '10' },
      'large-room': { type: 'string', default: '100' },
      rate: { type: 'string', default: '1000' },
      typists: { type: 'string', default: '20' },
      'in-flight': { type: 'string', default: '4000' },
      runs: { type: 'string', default: '1' },
      only: { type: 'string', default: BROKERS.join(',') },
      'cpu-prof': { type: 'string' },
    },
  });
  const options: BrokerBenchOptions = {
    windowSeconds: positiveNumber('--seconds', values.seconds),
    smallRoomMembers: positiveInteger('--small-room', values['small-room']),
    largeRoomMembers: positiveInteger('--large-room', values['large-room']),
    fixedEventsPerSecond: positiveNumber('--rate', values.rate),
    typists: positiveInteger('--typists', values.typists),
    inFlightDeliveries: positiveInteger('--in-flight', values['in-flight']),
    runs: positiveInteger('--runs', values.runs),
    brokers: values.only.split(',').map((name) => {
      if (!(BROKERS as readonly string[]).includes(name)) throw new RangeError(`--only: unknown broker ${JSON.stringify(name)}`);
      return name as BrokerName;
    }),
    cpuProfileDir: values['cpu-prof'],
  };
  if (options.fixedEventsPerSecond > MAX_TYPIST_RATE) throw new RangeError(`--rate must be at most ${MAX_TYPIST_RATE}`);
  if (options.largeRoomMembers < options.smallRoomMembers) throw new RangeError('--large-room must be at least --small-room');
  return options;
}
