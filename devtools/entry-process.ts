/**
 * A platform entry point as a real child process, started the way `npm start` starts it and
 * driven only through what an operator has: the environment, what it prints, and signals. Tests
 * kill it or run it split, the simulator crashes and restarts it, benchmarks read its CPU time
 * from /proc (hence `node --import tsx <script>` and not the `tsx` CLI, which would put a wrapper
 * process between us and the platform).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** The process entry points (package.json scripts `start`, `broker`, `bridge`, `api`). */
export const ENTRY_POINTS = {
  platform: 'platform/main.ts',
  broker: 'platform/broker-main.ts',
  bridge: 'platform/bridge-main.ts',
  api: 'platform/api-main.ts',
} as const;

/** What `npm start` prints once every listener is up (platform/main.ts). */
export const PLATFORM_READY =
  /MQTT over TCP\s+(?<mqttUrl>mqtt:\/\/\S+)\s+MQTT over WebSocket\s+(?<wsUrl>ws:\/\/\S+|off)[\s\S]*REST API\s+(?<apiUrl>http:\/\/\S+)/;

const DEFAULT_START_LIMIT_MS = 60_000;
const DEFAULT_STOP_GRACE_MS = 20_000;
/** What `output()` keeps of a long run: its most recent characters. */
const MAX_OUTPUT_CHARS = 256 * 1024;

export interface EntryProcessOptions {
  /** Its whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** What it prints when it is ready; the named groups become `found`. */
  ready: RegExp;
  startLimitMs?: number;
  /** How long `stop` waits before it sends SIGKILL. */
  stopGraceMs?: number;
  /** Everything it prints once ready (its output is read either way: a full pipe would block it). */
  onOutput?: (chunk: string) => void;
}

export interface EntryProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The named groups of the ready pattern. */
  readonly found: Record<string, string>;
  /** What it printed on stdout and stderr (the most recent 256 KiB). */
  output(): string;
  /** Sends `signal` and resolves once it has exited; SIGKILL (with its output on stderr) when that takes longer than the grace. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Runs `script` (a path from the repository root) until it prints `ready`; rejects, and kills it, when it exits or times out first. */
export async function spawnEntryPoint(script: string, options: EntryProcessOptions): Promise<EntryProcess> {
  const child = spawnScript(script, options.env);
  // A parent that dies before its cleanup must not leave the platform running.
  const onParentExit = () => child.kill('SIGKILL');
  process.once('exit', onParentExit);
  child.once('exit', () => process.removeListener('exit', onParentExit));

  let output = '';
  let isReady = false;
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-MAX_OUTPUT_CHARS);
    if (isReady) options.onOutput?.(text);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);

  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    const graceMs = options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
    const hung = setTimeout(() => {
      process.stderr.write(`${script}: no exit ${graceMs} ms after ${signal}; killed. Its output:\n${output.slice(-4000)}\n`);
      child.kill('SIGKILL');
    }, graceMs);
    await exited;
    clearTimeout(hung);
  };

  const startLimitMs = options.startLimitMs ?? DEFAULT_START_LIMIT_MS;
  try {
    const found = await new Promise<Record<string, string>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${script} was not ready within ${startLimitMs} ms:\n${output}`)), startLimitMs);
      const onData = () => {
        const match = options.ready.exec(output);
        if (match === null) return;
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.off('exit', onExit);
        resolve({ ...match.groups });
      };
      const onExit = (code: number | null) => {
        clearTimeout(timer);
        reject(new Error(`${script} exited with ${code} before it was ready:\n${output}`));
      };
      child.stdout.on('data', onData);
      child.once('exit', onExit);
    });
    isReady = true;
    return { child, pid: child.pid!, found, output: () => output, stop };
  } catch (error) {
    await stop('SIGKILL');
    throw error;
  }
}

/** Runs `script` until it exits by itself (a start-up that must fail): its exit code and what it printed. */
export async function runEntryPoint(
  script: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnScript(script, env);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

const spawnScript = (script: string, env: NodeJS.ProcessEnv = process.env) =>
  spawn(process.execPath, ['--conditions=mqtt-chat-source', '--import', 'tsx', script], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

/** The all-in-one platform (`npm start`), ready when its banner is out; `mqttUrl`, `wsUrl` and `apiUrl` are in `found`. */
export const spawnPlatform = (options: Omit<EntryProcessOptions, 'ready'>): Promise<EntryProcess> =>
  spawnEntryPoint(ENTRY_POINTS.platform, { ...options, ready: PLATFORM_READY });
