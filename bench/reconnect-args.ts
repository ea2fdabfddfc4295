/** Command-line options of `npm run bench:reconnect`, validated once so a typo fails with the flag's name. */
import { parseArgs } from 'node:util';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '@mqtt-chat/sdk';
import type { RetryPolicy } from './reconnect-protocol.js';

export type RestartSignal = 'SIGTERM' | 'SIGKILL';

export interface ReconnectOptions {
  clients: number;
  workers: number;
  roomSize: number;
  signals: RestartSignal[];
  policies: RetryPolicy[];
  stableAfterMs: number;
  connectTimeoutMs: number;
  roundLimitMs: number;
  seed: number;
  svg: boolean;
  help: boolean;
}

/** Well under the 20k file descriptors a process may hold here: one per client, and room to spare. */
const CLIENTS_PER_WORKER = 8000;

export const USAGE = `usage: npm run bench:reconnect -- [options]
  --clients N          phones in the herd (default 1000), split over worker processes
  --workers W          herd processes (default: one per ${CLIENTS_PER_WORKER} clients, at least 2)
  --room-size M        members per room (default 10)
  --signals S          term, kill or both: how the platform is stopped before each restart (default term)
  --policies P         jitter, immediate or both: the SDK's full-jitter backoff, or every retry at once (default both)
  --stable-after-ms T  how long a session must last before a loss starts the backoff from attempt 0;
                       the SDK's default is 20000, the bench waits it out before every round (default 5000)
  --connect-timeout-ms C  how long a client waits for its CONNACK before it abandons the attempt
                       (default 10000, the SDK's)
  --round-limit-s L    how long a round may take for every client to be back (default 180)
  --seed N             seed of the clients' jitter (default 1)
  --no-svg             do not write bench-output/reconnect.svg
  --help               this text`;

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${flag} must be a positive integer, got ${JSON.stringify(text)}`);
  return value;
}

function oneOrBoth<T extends string>(flag: string, text: string, names: Record<string, T>): T[] {
  if (text === 'both') return Object.values(names);
  const value = names[text];
  if (value === undefined) throw new RangeError(`${flag} must be ${Object.keys(names).join(', ')} or both, got ${JSON.stringify(text)}`);
  return [value];
}

export function parseReconnectArgs(argv: readonly string[]): ReconnectOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      clients: { type: 'string', default: '1000' },
      workers: { type: 'string' },
      'room-size': { type: 'string', default: '10' },
      signals: { type: 'string', default: 'term' },
      policies: { type: 'string', default: 'both' },
      'stable-after-ms': { type: 'string', default: '5000' },
      'connect-timeout-ms': { type: 'string', default: String(DEFAULT_CONNECT_TIMEOUT_MS) },
      'round-limit-s': { type: 'string', default: '180' },
      seed: { type: 'string', default: '1' },
      'no-svg': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const clients = positiveInteger('--clients', values.clients);
  const workers =
    values.workers === undefined ? Math.max(2, Math.ceil(clients / CLIENTS_PER_WORKER)) : positiveInteger('--workers', values.workers);
  if (clients / workers > CLIENTS_PER_WORKER)
    throw new RangeError(`--workers ${workers} would put more than ${CLIENTS_PER_WORKER} clients in one process`);
  return {
    clients,
    workers,
    roomSize: positiveInteger('--room-size', values['room-size']),
    signals: oneOrBoth('--signals', values.signals, { term: 'SIGTERM', kill: 'SIGKILL' } as const),
    policies: oneOrBoth('--policies', values.policies, { jitter: 'jitter', immediate: 'immediate' } as const),
    stableAfterMs: positiveInteger('--stable-after-ms', values['stable-after-ms']),
    connectTimeoutMs: positiveInteger('--connect-timeout-ms', values['connect-timeout-ms']),
    roundLimitMs: positiveInteger('--round-limit-s', values['round-limit-s']) * 1000,
    seed: positiveInteger('--seed', values.seed),
    svg: !values['no-svg'],
    help: values.help,
  };
}
