/** Command-line options of the push benchmark, parsed once and validated. */
import { parseArgs } from 'node:util';
import { positiveInteger, positiveNumber } from '../devtools/index.js';
import type { BackendName } from './args.js';

export interface PushBenchOptions {
  backend: BackendName;
  rooms: number;
  /** Recipients per room (all offline, half APNs, half FCM); each message is one push per recipient. */
  members: number;
  /** Paced phase: offered messages per second, and for how long. */
  rateMsgsPerSec: number;
  seconds: number;
  /** Throughput phase: messages committed at once. */
  burst: number;
  /** PUSH_CONCURRENCY: pushes in flight per provider. */
  concurrency: number;
}

export const PUSH_USAGE = `usage: npm run bench:push -- [options]
  --backend B      pglite | postgres (default pglite)
  --rooms R        rooms (default 20)
  --members M      offline recipients per room with a push token, half APNs, half FCM (default 4)
  --rate N         messages/s offered in the latency phase (default 20)
  --seconds S      length of the latency phase (default 10)
  --burst K        messages committed at once in the throughput phase (default 1000)
  --concurrency C  PUSH_CONCURRENCY: pushes in flight per provider (default 32)
env BENCH_DATABASE_URL  admin URL of the PostgreSQL cluster (default: local Unix socket as the OS user)`;

export function parsePushBenchArgs(argv: readonly string[]): PushBenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      backend: { type: 'string', default: 'pglite' },
      rooms: { type: 'string', default: '20' },
      members: { type: 'string', default: '4' },
      rate: { type: 'string', default: '20' },
      seconds: { type: 'string', default: '10' },
      burst: { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '32' },
    },
  });
  if (values.backend !== 'pglite' && values.backend !== 'postgres') {
    throw new RangeError(`--backend must be pglite or postgres, got ${JSON.stringify(values.backend)}`);
  }
  return {
    backend: values.backend,
    rooms: positiveInteger('--rooms', values.rooms),
    members: positiveInteger('--members', values.members),
    rateMsgsPerSec: positiveNumber('--rate', values.rate),
    seconds: positiveNumber('--seconds', values.seconds),
    burst: positiveInteger('--burst', values.burst),
    concurrency: positiveInteger('--concurrency', values.concurrency),
  };
}
