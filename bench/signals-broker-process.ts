/**
 * The broker under test as a child process of its own, so its CPU time can be read from
 * /proc apart from the simulated devices': the platform (`platform/main.ts`, embedded PGlite in
 * a temporary DATA_DIR) or the plain Aedes baseline (`bench/signals-plain-aedes.ts`).
 * Both are started as `node --import tsx <script>`: the `tsx` CLI would put a wrapper process
 * between us and the broker, and /proc/<pid>/stat would measure the wrapper.
 */
import { execFileSync } from 'node:child_process';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENTRY_POINTS, PLATFORM_READY, spawnEntryPoint, spawnPlatform, type EntryProcess } from '../devtools/index.js';

/** After SIGTERM, how long a broker has to exit before SIGKILL. */
const STOP_GRACE_MS = 10_000;

export interface CpuTimes {
  userMicros: number;
  /**
   * Kernel time. On loopback the sender's write() also runs the receiving side of TCP, so this
   * includes work a real network would put on the devices' machines.
   */
  systemMicros: number;
}

export interface BrokerProcess {
  readonly label: string;
  readonly pid: number;
  readonly mqttUrl: string;
  /** CPU time of the whole process (all threads) so far. */
  cpu(): Promise<CpuTimes>;
  stop(): Promise<void>;
}

export interface PlatformProcess extends BrokerProcess {
  /** MQTT over WebSocket. */
  readonly wsUrl: string;
  /** REST API and its admin credential. */
  readonly api: { url: string; adminToken: string };
}

/** Clock ticks per second of /proc/<pid>/stat times (sysconf(_SC_CLK_TCK)); 100 on every Linux we know of. */
export function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/** utime and stime of a process, fields 14 and 15 of proc(5) /proc/<pid>/stat. */
export async function processCpu(pid: number, ticksPerSecond: number): Promise<CpuTimes> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Field 2 (comm) is in parentheses and may hold spaces: count from the last ')'. fields[0] is field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const micros = (ticks: string | undefined) => (Number(ticks) * 1e6) / ticksPerSecond;
  return { userMicros: micros(fields[11]), systemMicros: micros(fields[12]) };
}

function brokerProcess(label: string, child: EntryProcess, cleanUp: () => Promise<void>): BrokerProcess {
  const ticksPerSecond = clockTicksPerSecond();
  return {
    label,
    pid: child.pid,
    mqttUrl: child.found['mqttUrl']!,
    cpu: () => processCpu(child.pid, ticksPerSecond),
    async stop() {
      await child.stop('SIGTERM'); // a clean shutdown: PGlite closes its files
      await cleanUp();
    },
  };
}

/** Later output: warnings of the broker, shown with its name. */
const echoAs = (script: string) => (chunk: string) => process.stderr.write(`  [${script}] ${chunk}`);

export interface PlatformProcessOptions {
  /** Raised above the sender's pace so the rate limit drops none of the bench's events. */
  typingRatePerSecond: number;
  typingBurst: number;
  jwtSecret: string;
  adminToken: string;
  /** More variables, e.g. a bench's raised connection limits. */
  env?: Record<string, string>;
  /** Node flags, e.g. --cpu-prof. */
  nodeArgs?: readonly string[];
  /** PostgreSQL instead of the embedded PGlite (whose start-up memory swings would drown a per-connection figure). */
  databaseUrl?: string;
  /**
   * The compiled platform (`npm run build`'s dist/) under plain node, as the production image runs
   * it, instead of the TypeScript sources under tsx (whose keep-names wraps every named function
   * it creates: a cost per closure that production does not pay).
   */
  compiled?: boolean;
}

/** The platform as `npm start` runs it (embedded unless `databaseUrl`), with a fresh DATA_DIR removed on stop. */
export async function startPlatformProcess(options: PlatformProcessOptions): Promise<PlatformProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-signals-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MQTT_PORT: '0',
    WS_PORT: '0',
    API_PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    JWT_SECRET: options.jwtSecret,
    ADMIN_TOKEN: options.adminToken,
    TYPING_RATE_PER_SECOND: String(options.typingRatePerSecond),
    TYPING_BURST: String(options.typingBurst),
    // The fleet connects a thousand devices as fast as it can: this measures typing, not the connect-rate limit.
    CONNECT_RATE_PER_SECOND: '100000',
    CONNECT_BURST: '100000',
    ...options.env,
  };
  // The embedded default (PGlite, in-memory broker state) whatever the caller's shell exports.
  for (const key of ['DATABASE_URL', 'REDIS_URL', 'BROKER_URL']) delete env[key];
  if (options.databaseUrl !== undefined) env['DATABASE_URL'] = options.databaseUrl;
  const removeDataDir = () => rm(dataDir, { recursive: true, force: true });
  let child: EntryProcess;
  try {
    const spawnOptions = { env, nodeArgs: options.nodeArgs ?? [], stopGraceMs: STOP_GRACE_MS, onOutput: echoAs(ENTRY_POINTS.platform) };
    child = options.compiled
      ? await spawnEntryPoint(await compiledPlatformScript(), { ...spawnOptions, loader: 'none', ready: PLATFORM_READY })
      : await spawnPlatform(spawnOptions);
  } catch (error) {
    await removeDataDir();
    throw error;
  }
  return {
    ...brokerProcess('platform', child, removeDataDir),
    wsUrl: child.found['wsUrl']!,
    api: { url: child.found['apiUrl']!, adminToken: options.adminToken },
  };
}

const COMPILED_PLATFORM = 'dist/platform/main.js';

/** The compiled entry point, or a one-line error naming the command that makes it. */
async function compiledPlatformScript(): Promise<string> {
  const isBuilt = await access(COMPILED_PLATFORM).then(
    () => true,
    () => false,
  );
  if (!isBuilt) throw new Error(`${COMPILED_PLATFORM} is missing: run \`npm run build\` first`);
  return COMPILED_PLATFORM;
}

/** `webSocket`: also MQTT over WebSocket, at `wsUrl`. */
export async function startPlainAedesProcess(
  options: { webSocket?: boolean; nodeArgs?: readonly string[] } = {},
): Promise<BrokerProcess & { wsUrl?: string }> {
  const script = 'bench/signals-plain-aedes.ts';
  const child = await spawnEntryPoint(script, {
    env: { ...process.env, PLAIN_AEDES_WS: options.webSocket === true ? '1' : '0' },
    nodeArgs: options.nodeArgs ?? [],
    ready: /plain (?<label>Aedes \S+) on (?<mqttUrl>mqtt:\/\/\S+)(?: ws (?<wsUrl>ws:\/\/\S+))?\n/,
    stopGraceMs: STOP_GRACE_MS,
    onOutput: echoAs(script),
  });
  const wsUrl = child.found['wsUrl'];
  return { ...brokerProcess(`plain ${child.found['label']!}`, child, async () => undefined), ...(wsUrl === undefined ? {} : { wsUrl }) };
}
