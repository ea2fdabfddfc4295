/**
 * WORKERS=1 against WORKERS=2 (docs/architecture.md#several-workers-on-one-machine): the same
 * node started as a real process (`npm start` on PostgreSQL, without Redis, so the workers share
 * publishes through the primary), the same devices from the durable benchmark's load thread
 * (bench/load.ts), saturated: every device keeps `window` sends in flight, and the platform's
 * acked msgs/s, send→delivery latency and CPU per acked message (primary + workers, from /proc)
 * are printed side by side with the ratio. Bounded: two short runs, about a minute in all. With
 * REDIS_URL in the environment, the workers coordinate through Redis instead.
 * Run: npm run bench:workers -- [--clients 40 --rooms 8 --seconds 10 --window 4 --workers 1,2]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { spawnPlatform, type EntryProcess } from '../devtools/index.js';
import { openBenchDatabase } from './backends.js';
import { startLoad } from './load.js';
import type { ClientSpec, PhaseResult } from './load-protocol.js';

const ADMIN_TOKEN = 'bench-workers-admin-token';
const TICKS_PER_SECOND = 100; // USER_HZ on Linux
const WARMUP_MS = 2_000;

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '40' },
    rooms: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '10' },
    window: { type: 'string', default: '4' },
    workers: { type: 'string', default: '1,2' },
  },
});
const options = {
  clients: Number(values.clients),
  rooms: Number(values.rooms),
  seconds: Number(values.seconds),
  window: Number(values.window),
  workers: values.workers.split(',').map(Number),
};

/** CPU seconds used so far by `pid` and its children (the workers). */
function treeCpuSeconds(pid: number): number {
  const ticksOf = (p: number): number => {
    try {
      const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return Number(fields[11]) + Number(fields[12]); // utime, stime
    } catch {
      return 0;
    }
  };
  const children = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((p) => {
      try {
        return Number(readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) === pid;
      } catch {
        return false;
      }
    });
  return [pid, ...children].reduce((sum, p) => sum + ticksOf(p), 0) / TICKS_PER_SECOND;
}

async function api(apiUrl: string, method: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

/** Users, rooms and tokens through the REST API: each client in one room, the first member of each room its receiver. */
async function provision(apiUrl: string, run: number): Promise<ClientSpec[]> {
  const userIds: string[] = [];
  for (let i = 0; i < options.clients; i += 1)
    userIds.push((await api(apiUrl, 'POST', '/v1/users', { name: `w${run}-${i}` }))['id'] as string);
  const clients: ClientSpec[] = [];
  for (let r = 0; r < options.rooms; r += 1) {
    const members = userIds.filter((_, i) => i % options.rooms === r);
    const room = await api(apiUrl, 'POST', '/v1/rooms', { name: `bench ${r}`, kind: 'group', members });
    for (const [k, userId] of members.entries()) {
      const { token } = (await api(apiUrl, 'POST', '/v1/tokens', { userId, deviceId: 'bench' })) as { token: string };
      clients.push({
        userId,
        deviceId: 'bench',
        token,
        roomId: room['id'] as string,
        roomVersion: room['memberVersion'] as number,
        isReceiver: k === 0,
      });
    }
  }
  return clients;
}

interface Outcome {
  workers: number;
  result: PhaseResult;
  cpuMicrosPerAck: number;
  cores: number;
}

async function runOnce(workers: number, databaseUrl: string, run: number): Promise<Outcome> {
  process.stderr.write(`\nWORKERS=${workers}: starting the platform...\n`);
  const node: EntryProcess = await spawnPlatform({
    env: {
      ...process.env,
      WORKERS: String(workers),
      DATABASE_URL: databaseUrl,
      MQTT_PORT: '0',
      WS_PORT: '0',
      API_PORT: '0',
      LOG_LEVEL: 'warn',
      ADMIN_TOKEN,
      JWT_SECRET: 'bench-workers-jwt-secret-0123456789abcdef',
      SEND_RATE_PER_SECOND: '100000',
      SEND_BURST: '100000',
      CONNECT_RATE_PER_SECOND: '100000',
      CONNECT_BURST: '100000',
      DATA_DIR: `/tmp/bench-workers-${process.pid}`,
    },
  });
  try {
    const clients = await provision(node.found['apiUrl']!, run);
    const load = await startLoad({ target: 'platform', mqttUrl: node.found['mqttUrl']!, clients, bodyBytes: 200 });
    try {
      let cpuAtStart = 0;
      const startTimer = setTimeout(() => (cpuAtStart = treeCpuSeconds(node.pid)), WARMUP_MS);
      const result = await load.run(
        { kind: 'saturation', windowPerClient: options.window, warmupMs: WARMUP_MS, measureMs: options.seconds * 1000 },
        (p) => process.stderr.write(`  ${(p.elapsedMs / 1000).toFixed(0).padStart(3)} s: ${p.ackedLastSecond} acked/s\n`),
      );
      clearTimeout(startTimer);
      const cpu = treeCpuSeconds(node.pid) - cpuAtStart; // includes the drain after the window: an upper bound
      return {
        workers,
        result,
        cpuMicrosPerAck: (cpu * 1e6) / Math.max(1, result.ackedInWindow),
        cores: cpu / options.seconds,
      };
    } finally {
      await load.close();
    }
  } finally {
    await node.stop('SIGTERM');
  }
}

const opened = await openBenchDatabase('postgres');
if (opened.status === 'skipped' || opened.database.url === undefined) {
  process.stderr.write(
    `bench:workers needs PostgreSQL (WORKERS > 1 cannot share PGlite): ${opened.status === 'skipped' ? opened.reason : 'no URL'}\n`,
  );
  process.exit(1);
}
const database = opened.database;
const outcomes: Outcome[] = [];
try {
  for (const [run, workers] of options.workers.entries()) outcomes.push(await runOnce(workers, database.url!, run));
} finally {
  await database.close();
}

const first = outcomes[0]!;
const rows = outcomes.map((o) => [
  String(o.workers),
  Math.round(o.result.ackedMsgsPerSec).toLocaleString('en-US'),
  `${(o.result.ackedMsgsPerSec / first.result.ackedMsgsPerSec).toFixed(2)}x`,
  `${o.result.delivery.p50Ms.toFixed(1)} / ${o.result.delivery.p99Ms.toFixed(1)}`,
  o.cpuMicrosPerAck.toFixed(0),
  o.cores.toFixed(2),
  o.result.loadLoopUtilization.toFixed(2),
]);
const header = [
  'workers',
  'acked msg/s',
  'vs first',
  'send→delivery p50 / p99 ms',
  'CPU µs per ack (node)',
  'node cores busy',
  'load thread ELU',
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
process.stdout.write(
  [
    '',
    `bench:workers on ${database.label}, ${availableParallelism()} cores, ${options.clients} devices in ${options.rooms} rooms, window ${options.window}, ${options.seconds} s saturated, ${process.env['REDIS_URL'] === undefined ? 'in-machine bus (no Redis)' : 'workers coordinating through REDIS_URL'}`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
  ].join('\n'),
);
