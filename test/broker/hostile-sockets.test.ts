/**
 * Every listener closes what it does not serve. 1,000 hostile connection attempts on the
 * WebSocket and the TCP port (upgrades for other paths followed by bytes and a close, half-closed
 * sockets, garbage, idle connections, plain HTTP requests) must leave this process with the file
 * descriptors it had before. An Upgrade for a path other than /mqtt followed by a few bytes and a
 * close used to leak its server socket for good (294 of 300).
 */
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { TestDevice } from '../support/device.js';

const ATTEMPTS = 1_000;
const AT_ONCE = 50;
const CONNECT_TIMEOUT_MS = 1_000;
/** How long a server may take to close what it does not serve: the idle ones need their timeout, the rest much less. */
const SERVER_CLOSE_LIMIT_MS = 10_000;

const openFds = () => readdirSync('/proc/self/fd').length;

const upgradeRequest = (path: string) =>
  `GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n`;

type Attempt = (port: number) => Promise<'closed-by-server' | 'closed-by-client' | 'left-open'>;

/** Opens a socket, runs `act`, then either closes it at once or waits for the server to close it. */
function attempt(act: (socket: Socket) => unknown, then: 'client-closes' | 'await-server'): Attempt {
  return async (port) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    socket.resume(); // read (and drop) whatever the server answers, so its FIN is seen
    const closed = once(socket, 'close');
    await once(socket, 'connect');
    await act(socket);
    if (then === 'client-closes') {
      socket.destroy();
      await closed;
      return 'closed-by-client';
    }
    const limit = new Promise<'left-open'>((resolve) => setTimeout(() => resolve('left-open'), SERVER_CLOSE_LIMIT_MS).unref());
    const outcome = await Promise.race([closed.then(() => 'closed-by-server' as const), limit]);
    socket.destroy();
    return outcome;
  };
}

const garbage = Buffer.from('\u0000\u00ff garbage \r\n\r\n GET / HTTP/9.9\r\n');
const kinds: { name: string; port: 'ws' | 'mqtt'; run: Attempt }[] = [
  // The leak of the issue: an upgrade nobody serves, a few more bytes, the client goes.
  {
    name: 'upgrade for another path, bytes after the answer, close',
    port: 'ws',
    run: attempt(async (s) => {
      const answered = once(s, 'data');
      s.write(upgradeRequest('/other'));
      await answered;
      s.write('more bytes');
    }, 'client-closes'),
  },
  { name: 'upgrade for another path, then half-close', port: 'ws', run: attempt((s) => s.end(upgradeRequest('/nope')), 'await-server') },
  { name: 'upgrade for another path, then wait', port: 'ws', run: attempt((s) => s.write(upgradeRequest('/x')), 'await-server') },
  {
    name: 'bad upgrade to /mqtt (no key), bytes, close',
    port: 'ws',
    run: attempt((s) => s.write('GET /mqtt HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nxx'), 'client-closes'),
  },
  {
    name: 'upgrade to /mqtt, garbage frames, close',
    port: 'ws',
    run: attempt((s) => s.write(Buffer.concat([Buffer.from(upgradeRequest('/mqtt')), garbage])), 'client-closes'),
  },
  {
    name: 'half the headers, then half-close',
    port: 'ws',
    run: attempt((s) => s.end('GET /mqtt HTTP/1.1\r\nHost: x\r\n'), 'await-server'),
  },
  { name: 'garbage on the WebSocket port', port: 'ws', run: attempt((s) => s.write(garbage), 'await-server') },
  {
    name: 'plain GET of an unknown path',
    port: 'ws',
    run: attempt((s) => s.write('GET /unknown HTTP/1.1\r\nHost: x\r\n\r\n'), 'await-server'),
  },
  { name: 'idle on the WebSocket port', port: 'ws', run: attempt(() => undefined, 'await-server') },
  { name: 'garbage on the TCP port', port: 'mqtt', run: attempt((s) => s.write(garbage), 'await-server') },
  {
    name: 'half a CONNECT, then half-close',
    port: 'mqtt',
    run: attempt((s) => s.end(Buffer.from([0x10, 0x20, 0x00, 0x04])), 'await-server'),
  },
  { name: 'idle on the TCP port', port: 'mqtt', run: attempt(() => undefined, 'await-server') },
];

let platform: TestPlatform;
let ports: { ws: number; mqtt: number };
beforeAll(async () => {
  platform = await startTestPlatform({ database: 'pglite', brokerState: 'memory' }, { CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS) });
  ports = { ws: Number(new URL(platform.endpoints.ws).port), mqtt: Number(new URL(platform.endpoints.mqtt).port) };
});
afterAll(() => platform?.stop());

/** Polls until the fd count is back to `baseline`, or the deadline; resolves with the last count. */
async function fdsSettle(baseline: number, deadlineMs: number): Promise<number> {
  const end = performance.now() + deadlineMs;
  for (;;) {
    const count = openFds();
    if (count <= baseline || performance.now() > end) return count;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('hostile connections', () => {
  it('closes the server socket of an Upgrade for another path followed by bytes and a close', async () => {
    const leaky = kinds[0]!;
    await leaky.run(ports.ws);
    const baseline = await fdsSettle(0, 1_000);
    for (let i = 0; i < 300; i += AT_ONCE) await Promise.all(Array.from({ length: AT_ONCE }, () => leaky.run(ports.ws)));
    const after = await fdsSettle(baseline, 5_000);
    expect(after - baseline, 'server sockets left open').toBeLessThanOrEqual(0);
  }, 60_000);

  it(`leaves no file descriptor behind after ${ATTEMPTS} attempts on the WebSocket and TCP ports`, async () => {
    // One of each first: lazily created handles (timers, the HTTP parser pool) are not leaks.
    for (const kind of kinds) await kind.run(ports[kind.port]);
    const baseline = await fdsSettle(0, 1_000);
    const outcomes = new Map<string, number>();
    for (let started = 0; started < ATTEMPTS; started += AT_ONCE) {
      const batch = Array.from({ length: Math.min(AT_ONCE, ATTEMPTS - started) }, (_, i) => kinds[(started + i) % kinds.length]!);
      const results = await Promise.all(batch.map(async (kind) => `${kind.name}: ${await kind.run(ports[kind.port])}`));
      for (const r of results) outcomes.set(r, (outcomes.get(r) ?? 0) + 1);
    }
    const after = await fdsSettle(baseline, 10_000);
    console.log(`open fds: ${baseline} before, ${after} after ${ATTEMPTS} hostile attempts`);
    expect([...outcomes.keys()].filter((k) => k.endsWith('left-open'))).toEqual([]);
    expect(after).toBeLessThanOrEqual(baseline);

    // And the listeners still serve.
    const userId = await platform.createUser('after-abuse');
    const device = await TestDevice.connect(platform.endpoints.ws, userId, 'phone', await platform.tokenFor(userId, 'phone'));
    await device.close();
  }, 120_000);
});
