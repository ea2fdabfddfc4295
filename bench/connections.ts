/**
 * bench:connections: what an idle connection costs the broker, this platform against plain
 * Aedes (same version, no hooks) and Mosquitto, in one run with one load generator: 10k idle
 * MQTT connections over TCP, then 2k more over WebSocket, opened by several client processes
 * (`connections-client.ts`; the machine allows 20k descriptors per process). On the platform
 * every connection is a device with its own JWT, verified at CONNECT, and the platform runs on
 * a fresh PostgreSQL database (as in production) so its process holds the broker, not PGlite.
 * Per broker process (/proc/<pid>): CPU per CONNECT = user+system time while the connections
 * were opened / connections; memory per connection = resident set growth once they are open
 * and the broker settled / connections; idle CPU = % of one core while holding them.
 * Targets (issue 12): the platform within 1.5x of plain Aedes on CPU per CONNECT and on memory
 * per connection.
 * Run: npm run bench:connections -- [--tcp 10000 --ws 2000 --per-process 5000 --only platform,aedes,mosquitto]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { positiveInteger, positiveNumber } from '../devtools/index.js';
import { BROKERS, type BrokerName } from './broker-args.js';
import { createScratchPostgres } from './backends.js';
import { findMosquitto, startMosquittoProcess } from './mosquitto-process.js';
import { startPlainAedesProcess, startPlatformProcess, type BrokerProcess, type CpuTimes } from './signals-broker-process.js';
import { median } from './stats.js';

const TARGET_RATIO = 1.5;
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const PLATFORM_SECRETS = { jwtSecret: randomBytes(32).toString('hex'), adminToken: randomBytes(16).toString('hex') };
/** The bench opens connections as fast as it can: this measures their cost, not the platform's admission limits. */
const PLATFORM_ENV = {
  CONNECT_RATE_PER_SECOND: '1000000',
  CONNECT_BURST: '1000000',
  MAX_PENDING_CONNECTS: '1000000',
  CONNECT_TIMEOUT_MS: '60000',
};

const USAGE = `usage: npm run bench:connections -- [options]
  --tcp N            idle connections over TCP (default 10000)
  --ws N             idle connections over WebSocket, opened after the TCP ones (default 2000)
  --per-process N    connections per client process (default 5000; at most ~19000: 20k descriptors per process)
  --settle S         seconds to let the broker settle before reading its memory (default 3)
  --idle S           seconds over which idle CPU is measured (default 5)
  --runs N           runs, brokers interleaved, medians printed (default 1)
  --cpu-prof DIR     the platform and plain Aedes write a CPU profile each into DIR
  --heap-snapshot DIR  the Node brokers write a heap snapshot into DIR once the TCP connections are open
  --only LIST        brokers to run, comma-separated from ${BROKERS.join(',')} (default all)
  --compiled         run the platform from dist/ under plain node, as in production (npm run build first)
The platform runs on a fresh database of the PostgreSQL at BENCH_DATABASE_URL (default: the local
socket), dropped afterwards; embedded PGlite when that is unreachable. Defaults take about 2-3 minutes.`;

interface Options {
  tcp: number;
  ws: number;
  perProcess: number;
  settleMs: number;
  idleMs: number;
  runs: number;
  brokers: BrokerName[];
  cpuProfileDir: string | undefined;
  heapSnapshotDir: string | undefined;
  compiled: boolean;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      tcp: { type: 'string', default: '10000' },
      ws: { type: 'string', default: '2000' },
      'per-process': { type: 'string', default: '5000' },
      settle: { type: 'string', default: '3' },
      idle: { type: 'string', default: '5' },
      runs: { type: 'string', default: '1' },
      only: { type: 'string', default: BROKERS.join(',') },
      'cpu-prof': { type: 'string' },
      'heap-snapshot': { type: 'string' },
      compiled: { type: 'boolean', default: false },
    },
  });
  return {
    // --tcp 0 measures WebSocket connections alone (their memory is otherwise measured after the TCP step's garbage).
    tcp: values.tcp === '0' ? 0 : positiveInteger('--tcp', values.tcp),
    ws: values.ws === '0' ? 0 : positiveInteger('--ws', values.ws),
    perProcess: positiveInteger('--per-process', values['per-process']),
    settleMs: positiveNumber('--settle', values.settle) * 1000,
    idleMs: positiveNumber('--idle', values.idle) * 1000,
    runs: positiveInteger('--runs', values.runs),
    brokers: values.only.split(',').map((name) => {
      if (!(BROKERS as readonly string[]).includes(name)) throw new RangeError(`--only: unknown broker ${JSON.stringify(name)}`);
      return name as BrokerName;
    }),
    cpuProfileDir: values['cpu-prof'],
    heapSnapshotDir: values['heap-snapshot'],
    compiled: values.compiled,
  };
}

const startedAtMs = performance.now();
const progress = (line: string) =>
  process.stderr.write(`  ${((performance.now() - startedAtMs) / 1000).toFixed(0).padStart(3)} s  ${line}\n`);

type Broker = BrokerProcess & { wsUrl?: string | undefined };

async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  if (kib === undefined) throw new Error(`no VmRSS for ${pid}`);
  return Number(kib) * 1024;
}

const totalMicros = (cpu: CpuTimes) => cpu.userMicros + cpu.systemMicros;

/** Asks a Node broker for a heap snapshot (--heapsnapshot-signal) and waits until its file stops growing. */
async function heapSnapshot(pid: number, dir: string): Promise<void> {
  const ofPid = async () => (await readdir(dir)).filter((name) => name.includes(`.${pid}.`));
  const before = new Set(await ofPid());
  process.kill(pid, 'SIGUSR2');
  let lastSize = -1;
  for (let waitedMs = 0; waitedMs < 120_000; waitedMs += 1000) {
    await sleep(1000);
    const file = (await ofPid()).find((name) => !before.has(name));
    if (file === undefined) continue;
    const { size } = await stat(join(dir, file));
    if (size > 0 && size === lastSize) {
      progress(`heap snapshot ${join(dir, file)} (${(size / 2 ** 20).toFixed(0)} MiB)`);
      return;
    }
    lastSize = size;
  }
}

interface ClientGroup {
  processes: ChildProcess[];
  /** Resolves once every process holds all its connections. */
  ready: Promise<void>;
}

/** Opens `total` connections to `url` from processes of at most `perProcess` each. */
function openConnections(url: string, total: number, perProcess: number, secret: string | undefined, tag: string): ClientGroup {
  const counts = new Map<ChildProcess, number>();
  let lastShownMs = 0;
  const show = (force: boolean) => {
    const nowMs = performance.now();
    if (!force && nowMs - lastShownMs < 1000) return;
    lastShownMs = nowMs;
    progress(
      `${tag} ${[...counts.values()].reduce((a, b) => a + b, 0).toLocaleString('en-US')} / ${total.toLocaleString('en-US')} connected`,
    );
  };
  const processes: ChildProcess[] = [];
  const readies: Promise<void>[] = [];
  for (let opened = 0; opened < total; opened += perProcess) {
    const child = spawn(process.execPath, ['--conditions=mqtt-chat-source', '--import', 'tsx', 'bench/connections-client.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        CONN_URL: url,
        CONN_COUNT: String(Math.min(perProcess, total - opened)),
        ...(secret === undefined ? {} : { CONN_JWT_SECRET: secret }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    process.once('exit', () => child.kill('SIGKILL'));
    processes.push(child);
    counts.set(child, 0);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    readies.push(
      new Promise((resolve, reject) => {
        let buffered = '';
        child.stdout.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop()!;
          for (const line of lines) {
            const [word, n] = line.split(' ');
            counts.set(child, Number(n));
            if (word === 'ready') resolve();
          }
          show(false);
        });
        child.once('exit', (code) => reject(new Error(`${tag} client process exited with ${code}: ${stderr.slice(-2000)}`)));
      }),
    );
  }
  return {
    processes,
    ready: Promise.all(readies).then(() => show(true)),
  };
}

async function closeConnections(group: ClientGroup): Promise<void> {
  await Promise.all(
    group.processes.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }),
  );
}

interface Step {
  connections: number;
  cpuPerConnectMicros: number;
  bytesPerConnection: number;
  idleCorePercent: number;
}

interface RunResult {
  name: BrokerName;
  label: string;
  baseBytes: number;
  tcp: Step | undefined;
  ws: Step | undefined;
}

/** Opens a group, then reads the broker's CPU for the opening, its memory once settled, and its idle CPU. */
async function step(
  broker: Broker,
  url: string,
  count: number,
  options: Options,
  secret: string | undefined,
  tag: string,
  groups: ClientGroup[],
): Promise<Step> {
  const rssBefore = await residentBytes(broker.pid);
  const cpuBefore = await broker.cpu();
  const group = openConnections(url, count, options.perProcess, secret, tag);
  groups.push(group);
  await group.ready;
  const cpuOpened = await broker.cpu();
  progress(`${tag} settling ${options.settleMs / 1000} s, then idle CPU over ${options.idleMs / 1000} s`);
  await sleep(options.settleMs);
  const rssAfter = await residentBytes(broker.pid);
  const idleFrom = await broker.cpu();
  const idleStartMs = performance.now();
  await sleep(options.idleMs);
  const idleTo = await broker.cpu();
  const idleMs = performance.now() - idleStartMs;
  const figures = {
    connections: count,
    cpuPerConnectMicros: (totalMicros(cpuOpened) - totalMicros(cpuBefore)) / count,
    bytesPerConnection: (rssAfter - rssBefore) / count,
    idleCorePercent: ((totalMicros(idleTo) - totalMicros(idleFrom)) / 1000 / idleMs) * 100,
  };
  // Each run's own figures, so the spread behind the medians of the report can be read.
  progress(
    `${tag} ${fmt(figures.cpuPerConnectMicros, 0)} µs per CONNECT, ${fmt(figures.bytesPerConnection / 1024)} KiB per connection, idle ${fmt(figures.idleCorePercent, 2)} % of a core`,
  );
  return figures;
}

async function runBroker(name: BrokerName, options: Options, mosquittoPath: string | undefined, run: number): Promise<RunResult> {
  process.stderr.write(`\nrun ${run}: ${name}\n`);
  const wantWs = options.ws > 0;
  const nodeArgs = [
    ...(options.cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`]),
    ...(options.heapSnapshotDir === undefined ? [] : ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${options.heapSnapshotDir}`]),
  ];
  let broker: Broker;
  let secret: string | undefined;
  let dropDatabase = async () => undefined as void;
  if (name === 'platform') {
    const database = await createScratchPostgres();
    let databaseUrl: string | undefined;
    if (!('problem' in database)) {
      databaseUrl = database.url;
      dropDatabase = database.drop;
      progress(`[platform] on PostgreSQL, fresh database ${database.name} (dropped afterwards)`);
    } else progress(`[platform] ${database.problem}: embedded PGlite, whose own memory swings blur the per-connection figure`);
    broker = await startPlatformProcess({
      typingRatePerSecond: 10,
      typingBurst: 4,
      ...PLATFORM_SECRETS,
      env: PLATFORM_ENV,
      nodeArgs,
      compiled: options.compiled,
      ...(databaseUrl === undefined ? {} : { databaseUrl }),
    });
    secret = PLATFORM_SECRETS.jwtSecret;
  } else if (name === 'aedes') broker = await startPlainAedesProcess({ webSocket: wantWs, nodeArgs });
  else broker = await startMosquittoProcess(mosquittoPath!, { webSocket: wantWs });
  const tag = `[${broker.label}]`;
  const groups: ClientGroup[] = [];
  try {
    await sleep(options.settleMs);
    const baseBytes = await residentBytes(broker.pid);
    progress(
      `${tag} pid ${broker.pid}, ${(baseBytes / 2 ** 20).toFixed(0)} MiB resident; opening ${options.tcp.toLocaleString('en-US')} TCP connections`,
    );
    const tcp = options.tcp === 0 ? undefined : await step(broker, broker.mqttUrl, options.tcp, options, secret, `${tag} tcp`, groups);
    if (options.heapSnapshotDir !== undefined && name !== 'mosquitto') {
      progress(`${tag} heap snapshot into ${options.heapSnapshotDir}`);
      await heapSnapshot(broker.pid, options.heapSnapshotDir);
    }
    let ws: Step | undefined;
    if (wantWs) {
      if (broker.wsUrl === undefined || broker.wsUrl === 'off') throw new Error(`${tag} has no WebSocket listener`);
      progress(`${tag} opening ${options.ws.toLocaleString('en-US')} WebSocket connections`);
      ws = await step(broker, broker.wsUrl, options.ws, options, secret, `${tag} ws`, groups);
    }
    return { name, label: broker.label, baseBytes, tcp, ws };
  } finally {
    await Promise.all(groups.map(closeConnections));
    await broker.stop();
    await dropDatabase();
  }
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

function printReport(options: Options, results: RunResult[], skipped: string | undefined): void {
  const names = [...new Set(results.map((r) => r.name))];
  const labelOf = (name: BrokerName) => results.find((r) => r.name === name)!.label;
  const of = (name: BrokerName, pick: (r: RunResult) => number | undefined) =>
    median(results.filter((r) => r.name === name).flatMap((r) => pick(r) ?? []));
  const rows: { label: string; pick: (r: RunResult) => number | undefined; digits: number; target: boolean }[] = [
    { label: `TCP: CPU per CONNECT (µs)`, pick: (r) => r.tcp?.cpuPerConnectMicros, digits: 0, target: true },
    {
      label: `TCP: memory per connection (KiB)`,
      pick: (r) => (r.tcp === undefined ? undefined : r.tcp.bytesPerConnection / 1024),
      digits: 1,
      target: true,
    },
    { label: `TCP: idle CPU holding them (% core)`, pick: (r) => r.tcp?.idleCorePercent, digits: 2, target: false },
    ...(options.ws > 0
      ? [
          { label: `WS: CPU per CONNECT (µs)`, pick: (r: RunResult) => r.ws?.cpuPerConnectMicros, digits: 0, target: true },
          {
            label: `WS: memory per connection (KiB)`,
            pick: (r: RunResult) => (r.ws === undefined ? undefined : r.ws.bytesPerConnection / 1024),
            digits: 1,
            target: true,
          },
          { label: `WS: idle CPU, TCP+WS (% core)`, pick: (r: RunResult) => r.ws?.idleCorePercent, digits: 2, target: false },
        ]
      : []),
    { label: 'resident before connecting (MiB)', pick: (r) => r.baseBytes / 2 ** 20, digits: 0, target: false },
  ];
  console.log(
    `\nbench:connections: ${options.tcp.toLocaleString('en-US')} idle TCP connections, then ${options.ws.toLocaleString('en-US')} over WebSocket, keepalive 300 s (median of ${options.runs} run${options.runs > 1 ? 's' : ''})`,
  );
  console.log(`  ${''.padEnd(38)}${names.map((n) => labelOf(n).padEnd(20)).join('')}platform/Aedes  target <= ${TARGET_RATIO}x`);
  for (const row of rows) {
    const values = names.map((n) => of(n, row.pick));
    const ratio = names.includes('platform') && names.includes('aedes') ? of('platform', row.pick) / of('aedes', row.pick) : Number.NaN;
    const verdict = !row.target || !Number.isFinite(ratio) ? '' : ratio <= TARGET_RATIO ? 'met' : 'MISSED';
    console.log(
      `  ${row.label.padEnd(38)}${values.map((v) => fmt(v, row.digits).padEnd(20)).join('')}${`${fmt(ratio, 2)}x`.padEnd(16)}${verdict}`,
    );
  }
  console.log(
    '  (memory: resident set growth / connections, read after settling; CPU per CONNECT: broker user+system time while opening / connections)',
  );
  if (skipped !== undefined) console.log(`  Mosquitto skipped: ${skipped}`);
}

async function main(): Promise<void> {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const found = options.brokers.includes('mosquitto') ? await findMosquitto() : { missing: 'not asked for' };
  const mosquittoPath = 'path' in found ? found.path : undefined;
  const skipped = 'missing' in found && options.brokers.includes('mosquitto') ? found.missing : undefined;
  const names = options.brokers.filter((n) => n !== 'mosquitto' || mosquittoPath !== undefined);
  const results: RunResult[] = [];
  for (let run = 1; run <= options.runs; run++) for (const name of names) results.push(await runBroker(name, options, mosquittoPath, run));
  printReport(options, results, skipped);
}

main().catch((error: unknown) => {
  console.error('bench:connections failed:', error);
  process.exitCode = 1;
});
