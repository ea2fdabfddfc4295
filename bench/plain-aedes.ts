/**
 * The baseline of the same run: a bare Aedes broker (in memory, no auth, no ACL, no database,
 * no bridge) on a TCP listener, with the same clients, rooms and body size as the durable
 * phases. What it sustains is the ceiling of the broker's own fan-out on this machine: the
 * durable path adds a database commit and an Ack per message on top of the same fan-out.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { Aedes } from 'aedes';
import { listenOn } from '../lib/listen.js';
import { BENCH_DEVICE_ID, roomMembers } from './fixture.js';
import type { ClientSpec } from './load-protocol.js';

const HOST = '127.0.0.1';

export interface PlainAedes {
  /** "plain Aedes 1.2.0" */
  readonly label: string;
  readonly mqttUrl: string;
  readonly clients: readonly ClientSpec[];
  close(): Promise<void>;
}

export async function startPlainAedes(options: { clients: number; rooms: number }): Promise<PlainAedes> {
  const broker = await Aedes.createBroker();
  // Node's TCP defaults, Nagle on. The platform's frame guard sets TCP_NODELAY (for latency at
  // low load); at saturation Nagle coalesces the small packets, so this is the higher ceiling.
  const server = createServer((socket) => broker.handle(socket));
  const closeBroker = () => new Promise<void>((resolve) => broker.close(() => resolve()));
  let port: number;
  try {
    port = await listenOn(server, 0, HOST, 'plain Aedes port');
  } catch (error) {
    await closeBroker();
    throw error;
  }
  return {
    label: `plain Aedes ${await aedesVersion()}`,
    mqttUrl: `mqtt://${HOST}:${port}`,
    clients: plainClients(options.clients, options.rooms),
    async close() {
      // The load thread has disconnected its clients by now; close() waits for the sockets to go.
      await Promise.all([new Promise<void>((resolve) => server.close(() => resolve())), closeBroker()]);
    },
  };
}

/** The fixture's layout with made-up ids: nobody checks them here. */
function plainClients(clients: number, rooms: number): ClientSpec[] {
  const indexes = Array.from({ length: clients }, (_, i) => i);
  const specs: ClientSpec[] = [];
  for (let r = 0; r < rooms; r++) {
    for (const [k, i] of roomMembers(indexes, rooms, r).entries()) {
      specs.push({
        userId: `plain-user-${i}`,
        deviceId: BENCH_DEVICE_ID,
        token: '',
        roomId: `plain-room-${r}`,
        roomVersion: 0,
        isReceiver: k === 0,
      });
    }
  }
  return specs;
}

async function aedesVersion(): Promise<string> {
  try {
    const manifest = JSON.parse(await readFile(new URL('./package.json', import.meta.resolve('aedes')), 'utf8')) as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : '?';
  } catch {
    return '?';
  }
}
