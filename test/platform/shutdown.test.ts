/**
 * SIGTERM ends the platform process promptly even while hostile connections are open: idle
 * sockets, half-finished HTTP upgrades, WebSocket upgrades for other paths and live MQTT sessions
 * on every listener. Leaked sockets used to keep the listeners' close from ever finishing, so
 * the process hung for minutes.
 */
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TestDevice } from '../support/device.js';
import { spawnPlatform, type PlatformProcess } from '../support/platform-process.js';
import { rest } from '../support/rest-client.js';

const ADMIN_TOKEN = 'shutdown-test-admin-token';
/** Far below the minutes it hung, far above a clean shutdown with the embedded database. */
const EXIT_LIMIT_MS = 15_000;

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function open(url: string, bytes: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = createConnection({ host: hostname, port: Number(port) });
  socket.on('error', () => undefined);
  socket.resume();
  await once(socket, 'connect');
  if (bytes.length > 0) socket.write(bytes);
  return socket;
}

describe('SIGTERM', () => {
  it('ends the process promptly while hostile connections and live sessions are open', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'chat-shutdown-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const platform: PlatformProcess = await spawnPlatform({
      ADMIN_TOKEN,
      JWT_SECRET: 'shutdown-test-jwt-secret-0123456789abcdef',
      DATA_DIR: dataDir,
    });
    cleanups.push(() => platform.stop('SIGKILL'));
    const wsUrl = /MQTT over WebSocket\s+(ws:\/\/\S+)/.exec(platform.output())![1]!;

    const sockets: Socket[] = [];
    cleanups.push(async () => sockets.forEach((s) => s.destroy()));
    const upgradeElsewhere = 'GET /elsewhere HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nmore bytes';
    for (let i = 0; i < 50; i += 1) {
      sockets.push(
        ...(await Promise.all([
          open(platform.mqttUrl, ''), // idle, before CONNECT
          open(platform.mqttUrl, '\u0010\u0020\u0000'), // half a CONNECT
          open(wsUrl, ''), // idle, before any request
          open(wsUrl, 'GET /mqtt HTTP/1.1\r\nHost: x\r\n'), // half the headers
          open(wsUrl, upgradeElsewhere),
        ])),
      );
    }
    const userId = (await rest(platform.apiUrl, ADMIN_TOKEN, 'POST', '/v1/users', { name: 'live' })).json.id as string;
    const devices = await Promise.all(
      [platform.mqttUrl, wsUrl].map(async (url, i) => {
        const token = (await rest(platform.apiUrl, ADMIN_TOKEN, 'POST', '/v1/tokens', { userId, deviceId: `d${i}` })).json.token as string;
        return TestDevice.connect(url, userId, `d${i}`, token);
      }),
    );
    cleanups.push(() => Promise.all(devices.map((d) => d.close().catch(() => undefined))));

    const exited = once(platform.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    platform.child.kill('SIGTERM');
    const limit = new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), EXIT_LIMIT_MS).unref());
    const outcome = await Promise.race([exited, limit]);
    expect(outcome).toEqual([0, null]);
  }, 120_000);
});
