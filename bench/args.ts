/**
 * Command-line options of the durable-path benchmark, parsed once and validated, so a typo
 * fails at start-up with the flag's name instead of producing a meaningless run.
 */
import { parseArgs } from 'node:util';
import { positiveInteger, positiveNumber } from '../devtools/index.js';

export type BackendName = 'pglite' | 'postgres';

export interface BenchOptions {
  clients: number;
  rooms: number;
  /** Measured duration of each phase (saturation, raw ceiling, half load). */
  phaseSeconds: number;
  bodyBytes: number;
  backends: readonly BackendName[];
  /** In-flight sends per client during saturation. */
  window: number;
  /** Fixed offered load for the latency phase; undefined: half the measured raw ceiling. */
  rateMsgsPerSec: number | undefined;
}

export const USAGE = `usage: npm run bench:durable -- [options]
  --clients N        MQTT clients (default 50)
  --rooms M          rooms the clients are spread over (default 10; needs clients >= 2 * rooms)
  --seconds S        measured seconds per phase (default 10)
  --body-bytes B     message body size (default 200)
  --backend B        pglite | postgres | both (default both)
  --window W         in-flight sends per client at saturation (default 8)
  --rate R           offered msgs/s for the latency phase (default: half the raw ceiling)
env BENCH_DATABASE_URL  admin URL of the PostgreSQL cluster (default: local Unix socket as the OS user)`;

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      clients: { type: 'string', default: '50' },
      rooms: { type: 'string', default: '10' },
      seconds: { type: 'string', default: '10' },
      'body-bytes': { type: 'string', default: '200' },
      backend: { type: 'string', default: 'both' },
      window: { type: 'string', default: '8' },
      rate: { type: 'string' },
    },
  });
  const options: BenchOptions = {
    clients: positiveInteger('--clients', values.clients),
    rooms: positiveInteger('--rooms', values.rooms),
    phaseSeconds: positiveNumber('--seconds', values.seconds),
    bodyBytes: positiveInteger('--body-bytes', values['body-bytes']),
    backends: backendList(values.backend),
    window: positiveInteger('--window', values.window),
    rateMsgsPerSec: values.rate === undefined ? undefined : positiveNumber('--rate', values.rate),
  };
  // Every room needs a receiver and at least one other member sending to it.
  if (options.clients < 2 * options.rooms)
    throw new RangeError(`--clients (${options.clients}) must be at least 2 * --rooms (${options.rooms})`);
  return options;
}

function backendList(text: string): BackendName[] {
  if (text === 'both') return ['pglite', 'postgres'];
  if (text === 'pglite' || text === 'postgres') return [text];
  throw new RangeError(`--backend must be pglite, postgres or both, got ${JSON.stringify(text)}`);
}
