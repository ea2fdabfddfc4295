/**
 * The platform the herd reconnects to: `npm start`'s entry point as a child process on a data
 * folder of its own, restarted with SIGTERM (graceful: it closes every connection) or SIGKILL
 * (the kernel resets them) on the same ports and data, as a supervisor would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const READY =
  /MQTT over TCP\s+mqtt:\/\/[^:\s]+:(?<mqtt>\d+)[\s\S]*MQTT over WebSocket\s+ws:\/\/[^:\s]+:(?<ws>\d+)[\s\S]*REST API\s+http:\/\/[^:\s]+:(?<api>\d+)/;
const START_LIMIT_MS = 120_000;
/** A graceful stop that takes longer than this is cut short with SIGKILL (and reported). */
const STOP_LIMIT_MS = 30_000;

export const BENCH_ADMIN_TOKEN = 'reconnect-bench-admin-token';
const JWT_SECRET = 'reconnect-bench-jwt-secret-0123456789abcdef';

export interface Restart {
  killedAtMs: number;
  exitedAtMs: number;
  readyAtMs: number;
  /** SIGTERM only: the platform did not finish its graceful shutdown in time and was killed. */
  forced: boolean;
}

export interface BenchPlatform {
  readonly mqttPort: number;
  readonly apiPort: number;
  restart(signal: 'SIGTERM' | 'SIGKILL'): Promise<Restart>;
  stop(): Promise<void>;
}

async function spawnPlatform(env: Record<string, string>): Promise<{ child: ChildProcess; ports: Record<string, number> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'platform/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ADMIN_TOKEN: BENCH_ADMIN_TOKEN, JWT_SECRET, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ports = await new Promise<Record<string, number>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the platform was not ready within ${START_LIMIT_MS} ms:\n${output}`)), START_LIMIT_MS);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`the platform exited with ${code} before it was ready:\n${output}`));
    };
    child.once('exit', onExit);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = READY.exec(output)?.groups;
      if (found === undefined) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve({ mqtt: Number(found['mqtt']), ws: Number(found['ws']), api: Number(found['api']) });
    });
  });
  // Keep reading its output (warnings) so it never blocks on a full pipe; errors go to ours.
  child.stdout?.removeAllListeners('data').resume();
  child.stderr?.removeAllListeners('data').pipe(process.stderr);
  return { child, ports };
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return false;
  const exited = once(child, 'exit');
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_LIMIT_MS);
  await exited;
  clearTimeout(timer);
  return signal !== 'SIGKILL' && child.signalCode === 'SIGKILL';
}

export async function startBenchPlatform(): Promise<BenchPlatform> {
  const dataDir = await mkdtemp(join(tmpdir(), 'reconnect-bench-'));
  let { child, ports } = await spawnPlatform({ DATA_DIR: dataDir, MQTT_PORT: '0', WS_PORT: '0', API_PORT: '0' });
  // An interrupted benchmark must not leave its platform running.
  const killOnExit = () => {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);
  const fixed = { DATA_DIR: dataDir, MQTT_PORT: String(ports['mqtt']), WS_PORT: String(ports['ws']), API_PORT: String(ports['api']) };
  return {
    mqttPort: ports['mqtt']!,
    apiPort: ports['api']!,
    async restart(signal) {
      const killedAtMs = Date.now();
      const forced = await stopChild(child, signal);
      const exitedAtMs = Date.now();
      ({ child, ports } = await spawnPlatform(fixed));
      return { killedAtMs, exitedAtMs, readyAtMs: Date.now(), forced };
    },
    async stop() {
      process.off('exit', killOnExit);
      await stopChild(child, 'SIGTERM');
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
