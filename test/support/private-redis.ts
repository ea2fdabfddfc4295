/**
 * A redis-server of the test's own on a free port (no persistence, like a Redis restarted from
 * scratch), so a test can kill and restart it under load without disturbing any other test.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

export const REDIS_SERVER_BIN = process.env['REDIS_SERVER_BIN'] ?? 'redis-server';
const START_LIMIT_MS = 10_000;

export interface PrivateRedis {
  /** redis://127.0.0.1:{port} */
  readonly url: string;
  readonly port: number;
  /** Starts the stopped server again on the same port (empty: nothing was persisted). */
  start(): Promise<void>;
  /** SIGKILL by default: Redis gone without a word, as when its machine dies. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  isRunning(): boolean;
  /** Stops it if running. Safe to call twice. */
  destroy(): Promise<void>;
}

/** Why a private Redis cannot be started here, or undefined when it can. */
export async function privateRedisProblem(): Promise<string | undefined> {
  try {
    await promisify(execFile)(REDIS_SERVER_BIN, ['--version']);
    return undefined;
  } catch (error) {
    return `cannot run ${REDIS_SERVER_BIN}: ${(error as Error).message.split('\n')[0]}`;
  }
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const isRunning = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const onExit = () => {
    if (isRunning()) child?.kill('SIGKILL');
  };
  process.once('exit', onExit);

  async function start(): Promise<void> {
    if (isRunning()) return;
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'];
    const started = spawn(REDIS_SERVER_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server not ready within ${START_LIMIT_MS} ms:\n${output}`)), START_LIMIT_MS);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (!output.includes('Ready to accept connections')) return;
        clearTimeout(timer);
        started.stdout?.removeListener('data', onData);
        started.stdout?.resume();
        resolve();
      };
      started.stdout?.on('data', onData);
      started.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      started.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code} before it was ready:\n${output}`));
      });
    });
  }

  const instance: PrivateRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    async stop(signal = 'SIGKILL') {
      if (!isRunning()) return;
      const exited = once(child!, 'exit');
      child!.kill(signal);
      await exited;
    },
    isRunning,
    async destroy() {
      process.removeListener('exit', onExit);
      await instance.stop();
    },
  };
  try {
    await start();
  } catch (error) {
    await instance.destroy();
    throw error;
  }
  return instance;
}
