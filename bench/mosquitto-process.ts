/**
 * Mosquitto as the third broker of bench:broker and bench:connections: the C reference for what
 * relaying and holding a connection cost, run with the same load generator. Found at
 * MOSQUITTO_BIN, /usr/sbin/mosquitto or on PATH; when it is missing the benches say so and skip
 * it. Anonymous, in memory, TCP_NODELAY like the other two, and a WebSocket listener when asked.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, constants, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { clockTicksPerSecond, processCpu, type BrokerProcess } from './signals-broker-process.js';

const HOST = '127.0.0.1';
const START_LIMIT_MS = 10_000;
const STOP_GRACE_MS = 5_000;

export interface MosquittoProcess extends BrokerProcess {
  /** MQTT over WebSocket, when started with `webSocket`. */
  readonly wsUrl: string | undefined;
}

/** The mosquitto binary, or undefined (with the places looked at) when there is none. */
export async function findMosquitto(): Promise<{ path: string } | { missing: string }> {
  const candidates = [
    ...(process.env['MOSQUITTO_BIN'] ? [process.env['MOSQUITTO_BIN']] : []),
    '/usr/sbin/mosquitto',
    ...(process.env['PATH'] ?? '').split(delimiter).map((dir) => join(dir, 'mosquitto')),
  ];
  for (const path of candidates) {
    try {
      await access(path, constants.X_OK);
      return { path };
    } catch {
      // next candidate
    }
  }
  return { missing: `mosquitto not found (MOSQUITTO_BIN, ${candidates.slice(-2).join(', ')}...): apt-get install mosquitto` };
}

/** A port nobody listens on right now (the broker binds it a moment later). */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, HOST);
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

async function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startMosquittoProcess(binary: string, options: { webSocket?: boolean } = {}): Promise<MosquittoProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-mosquitto-'));
  const port = await freePort();
  const wsPort = options.webSocket === true ? await freePort() : undefined;
  const config = [
    'per_listener_settings false',
    'allow_anonymous true',
    'persistence false',
    'max_connections -1',
    'set_tcp_nodelay true',
    'log_dest stderr',
    'log_type error',
    `listener ${port} ${HOST}`,
    ...(wsPort === undefined ? [] : [`listener ${wsPort} ${HOST}`, 'protocol websockets']),
  ];
  await writeFile(join(dir, 'mosquitto.conf'), `${config.join('\n')}\n`);
  const child = spawn(binary, ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
    process.stderr.write(`  [mosquitto] ${chunk.toString()}`);
  });
  const onParentExit = () => child.kill('SIGKILL');
  process.once('exit', onParentExit);
  child.once('exit', () => process.removeListener('exit', onParentExit));
  const cleanUp = () => rm(dir, { recursive: true, force: true });
  const startedMs = performance.now();
  while (!(await acceptsConnections(port))) {
    if (child.exitCode !== null || performance.now() - startedMs > START_LIMIT_MS) {
      child.kill('SIGKILL');
      await cleanUp();
      throw new Error(`mosquitto did not start listening on ${port}:\n${output}`);
    }
    await sleep(50);
  }
  const version = await mosquittoVersion(binary);
  const ticksPerSecond = clockTicksPerSecond();
  return {
    label: `Mosquitto ${version}`,
    pid: child.pid!,
    mqttUrl: `mqtt://${HOST}:${port}`,
    wsUrl: wsPort === undefined ? undefined : `ws://${HOST}:${wsPort}`,
    cpu: () => processCpu(child.pid!, ticksPerSecond),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const hung = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(hung);
      }
      await cleanUp();
    },
  };
}

async function mosquittoVersion(binary: string): Promise<string> {
  const child = spawn(binary, ['-h'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  await once(child, 'exit');
  return /version (\S+)/.exec(text)?.[1] ?? '?';
}
