/**
 * Command-line options of `npm run sim`, parsed once and validated, so a typo fails at start-up
 * naming the flag instead of producing a meaningless run.
 */
import { parseArgs } from 'node:util';
import { durationMs, fraction, oneOf, positiveInteger, positiveNumber } from '../../devtools/index.js';

export interface FleetOptions {
  clients: number;
  rooms: number;
  roomsPerClient: number;
  durationMs: number;
  /** Idle timeout of the simulated carrier NAT every phone connects through; undefined: no NAT. */
  natIdleTimeoutMs: number | undefined;
  chaos: boolean;
  /** Mean time between two chaos events (they alternate: kill the platform, drop the NAT mappings). */
  chaosEveryMs: number;
  /** Mean time between two chat bursts of one phone. */
  burstEveryMs: number;
  transport: 'tcp' | 'ws' | 'mixed';
  /** Share of phones (0-1) behind a proxy that refuses WebSockets: the SDK falls back to SSE + HTTP POST on its own. */
  sseShare: number;
  /** Multiplies the heartbeat's published constants (4 min start…), so a short run sees it adapt. */
  heartbeatScale: number;
  seed: number;
}

export const USAGE = `usage: npm run sim -- [options]
  --clients N          simulated phones (default 500)
  --rooms M            rooms (default 50; needs clients >= 2 * rooms)
  --rooms-per-client K rooms each phone is a member of (default 2)
  --minutes T          how long the phones chat (default 2; fractions allowed)
  --nat D              phones connect through a carrier NAT that silently drops a mapping idle for D (e.g. 30s, 4m)
  --chaos              kill -9 and restart the platform, and drop every NAT mapping, in turn at random moments
  --chaos-every D      mean time between two chaos events (default 30s)
  --burst-every D      mean time between one phone's chat bursts (default 30s)
  --transport T        tcp | ws | mixed (default mixed)
  --sse-share F        share of phones (0-1, default 0) behind an HTTP proxy that refuses WebSockets, as some
                       corporate proxies do: their SDK falls back to Server-Sent Events + HTTP POST by itself
  --heartbeat-scale F  time scale of the adaptive heartbeat's constants (default 0.1: 4 min starts at 24 s)
  --seed S             seed of every random choice (default: random, printed)
env DATABASE_URL / REDIS_URL are passed to the platform (default: embedded PGlite, in-memory broker).`;

export function parseFleetArgs(argv: readonly string[]): FleetOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      clients: { type: 'string', default: '500' },
      rooms: { type: 'string', default: '50' },
      'rooms-per-client': { type: 'string', default: '2' },
      minutes: { type: 'string', default: '2' },
      nat: { type: 'string' },
      chaos: { type: 'boolean', default: false },
      'chaos-every': { type: 'string', default: '30s' },
      'burst-every': { type: 'string', default: '30s' },
      transport: { type: 'string', default: 'mixed' },
      'sse-share': { type: 'string', default: '0' },
      'heartbeat-scale': { type: 'string', default: '0.1' },
      seed: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) throw new UsageRequested();
  const options: FleetOptions = {
    clients: positiveInteger('--clients', values.clients),
    rooms: positiveInteger('--rooms', values.rooms),
    roomsPerClient: positiveInteger('--rooms-per-client', values['rooms-per-client']),
    durationMs: positiveNumber('--minutes', values.minutes) * 60_000,
    natIdleTimeoutMs: values.nat === undefined ? undefined : durationMs('--nat', values.nat),
    chaos: values.chaos,
    chaosEveryMs: durationMs('--chaos-every', values['chaos-every']),
    burstEveryMs: durationMs('--burst-every', values['burst-every']),
    transport: oneOf('--transport', values.transport, ['tcp', 'ws', 'mixed'] as const),
    sseShare: fraction('--sse-share', values['sse-share']),
    heartbeatScale: positiveNumber('--heartbeat-scale', values['heartbeat-scale']),
    seed: values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : positiveInteger('--seed', values.seed),
  };
  if (options.clients < 2 * options.rooms)
    throw new RangeError(`--clients (${options.clients}) must be at least 2 * --rooms (${options.rooms})`);
  return options;
}

export class UsageRequested extends Error {}
