/**
 * One origin for a web page: MQTT over WebSocket is served on the API's port at /mqtt by the
 * same broker handling as the WebSocket listener, and every other upgrade there is refused and
 * its socket closed (none left open, whatever the client does after).
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestDevice } from '../support/device.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ database: 'pglite', brokerState: 'memory' });
});
afterAll(() => platform?.stop());

const apiMqttUrl = () => `${platform.endpoints.api.replace('http://', 'ws://')}/mqtt`;
const openConnections = () =>
  new Promise<number>((resolve, reject) => platform.api.server.getConnections((e, n) => (e ? reject(e) : resolve(n))));

/** A client that keeps its side open after the server's answer (half-open), as a careless or hostile one does. */
function rawUpgrade(path: string): { socket: Socket; answer: Promise<string> } {
  const { port } = new URL(platform.endpoints.api);
  const socket = connect({ port: Number(port), host: '127.0.0.1', allowHalfOpen: true });
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
      'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n',
  );
  let text = '';
  socket.on('data', (chunk) => (text += chunk.toString()));
  socket.on('error', () => undefined);
  return { socket, answer: once(socket, 'end').then(() => text) };
}

describe('MQTT over WebSocket on the API port', () => {
  it('serves /mqtt: a device connects, sends and gets its Ack and the Message through the whole platform', async () => {
    const alice = await platform.createUser('alice');
    const room = await platform.createRoom([alice]);
    const device = await TestDevice.connect(apiMqttUrl(), alice, 'browser', await platform.tokenFor(alice, 'browser'));
    try {
      expect(await device.joinRoom(room.id)).toBe(1);
      await device.send(room.id, 'via-api-port', room.memberVersion, 'hello');
      expect(await device.waitForAck('via-api-port')).toMatchObject({ seq: 1 });
      expect((await device.waitForMessages(room.id, 1))[0]).toMatchObject({ seq: 1, clientMsgId: 'via-api-port' });
    } finally {
      await device.close();
    }
  });

  it('refuses an upgrade to any other path with 404 and closes the socket, also when the client keeps writing', async () => {
    const attempts = ['/', '/v1/events', '/mqtt/extra', '/ws'].map(rawUpgrade);
    for (const attempt of attempts) {
      attempt.socket.write(Buffer.alloc(1024, 1)); // bytes after the upgrade request: nothing reads them
      expect(await attempt.answer).toMatch(/^HTTP\/1\.1 404 /);
    }
    // The clients never close their side; the server must have closed its sockets anyway (earlier connections of this file are closed too).
    await expect.poll(openConnections).toBe(0);
    for (const attempt of attempts) attempt.socket.destroy();
  });

  it('answers a plain (non-upgrade) request for /mqtt as any unknown route', async () => {
    const r = await fetch(`${platform.endpoints.api}/mqtt`);
    expect([r.status, ((await r.json()) as { error: { code: string } }).error.code]).toEqual([404, 'ERR_ROUTE_NOT_FOUND']);
  });
});
