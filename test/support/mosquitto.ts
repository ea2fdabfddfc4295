/** A real Mosquitto broker on a free loopback port, for interop tests of the bridge's MQTT adapter. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MOSQUITTO_BIN } from './backends.js';

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

export interface MosquittoOptions {
  /** Mosquitto `log_type`s besides `error` (e.g. `debug`, which logs every PUBLISH it sends and to whom). */
  logTypes?: readonly string[];
}

export interface RunningMosquitto {
  url: string;
  /** What it logged on stderr so far. */
  log(): string;
  /** Stops it (SIGTERM) and removes its files. */
  stop(): Promise<void>;
}

export async function startMosquitto(options: MosquittoOptions = {}): Promise<RunningMosquitto> {
  const dir = await mkdtemp(join(tmpdir(), 'mosquitto-'));
  const port = await freePort();
  const configFile = join(dir, 'mosquitto.conf');
  await writeFile(
    configFile,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'log_dest stderr',
      'log_type error',
      ...(options.logTypes ?? []).map((type) => `log_type ${type}`),
      '',
    ].join('\n'),
  );
  const child = spawn(MOSQUITTO_BIN, ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await waitForPort(port, () => (child.exitCode !== null ? `mosquitto exited: ${stderr}` : undefined));
  return {
    url: `mqtt://127.0.0.1:${port}`,
    log: () => stderr,
    async stop() {
      if (child.exitCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Polls the port with real connection attempts until it accepts: Mosquitto announces nothing
 * when it is ready, so a connection is the only event there is to wait for.
 */
async function waitForPort(port: number, failure: () => string | undefined): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const problem = failure();
    if (problem !== undefined) throw new Error(problem);
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (accepted) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`mosquitto did not accept connections on ${port}`);
}
