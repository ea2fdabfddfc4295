/**
 * MQTT over WebSocket sends each MQTT packet as one WebSocket frame: a packet split over frames
 * costs a frame header and a send per piece (5 frames for a small PUBLISH). Over TCP the broker's
 * socket has Nagle's algorithm off.
 */
import { once } from 'node:events';
import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { deviceClientId, roomTopic } from '../../schema/index.js';
import { TestDevice } from '../support/device.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ database: 'pglite', brokerState: 'memory' });
});
afterAll(() => platform.stop());

/** Parses one WebSocket message on its own: the packets it holds, and whether bytes were left over (a packet cut in pieces). */
function parseFrame(data: Buffer): { packets: mqttPacket.Packet[]; leftoverBytes: number } {
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const packets: mqttPacket.Packet[] = [];
  parser.on('packet', (packet) => packets.push(packet));
  const leftoverBytes = parser.parse(data);
  return { packets, leftoverBytes };
}

describe('MQTT over WebSocket', () => {
  it('carries every MQTT packet the broker sends in one WebSocket frame', async () => {
    const userId = await platform.createUser('ws-framing');
    const token = await platform.tokenFor(userId, 'phone');
    const room = await platform.createRoom([userId]);
    const ws = new WebSocket(platform.endpoints.ws, 'mqtt');
    const frames: Buffer[] = [];
    const frameArrived = () => once(ws, 'message') as Promise<[Buffer]>;
    ws.on('message', (data: Buffer) => frames.push(data));
    await once(ws, 'open');
    const send = (packet: mqttPacket.Packet) => ws.send(mqttPacket.generate(packet, { protocolVersion: 4 }));

    send({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      keepalive: 60,
      clientId: deviceClientId(userId, 'phone'),
      username: userId,
      password: Buffer.from(token),
    });
    await frameArrived();
    send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: roomTopic(room.id), qos: 1 }] });
    await frameArrived();
    const published = frameArrived();
    const sent = await platform.as(token, 'POST', `/v1/rooms/${room.id}/messages`, {
      clientMsgId: 'framing-1',
      roomVersion: room.memberVersion,
      body: Buffer.from('hello').toString('base64'),
    });
    expect(sent.status).toBe(201);
    await published;
    ws.close();

    const parsed = frames.map(parseFrame);
    expect(parsed.map(({ packets }) => packets.map((p) => p.cmd))).toEqual([['connack'], ['suback'], ['publish']]);
    expect(parsed.every(({ leftoverBytes }) => leftoverBytes === 0)).toBe(true);
  });
});

describe('MQTT over TCP', () => {
  it("turns Nagle off on the broker's socket of each connection, so a small packet never waits for an earlier one's acknowledgement", async () => {
    const userId = await platform.createUser('tcp-nagle');
    const clientId = deviceClientId(userId, 'phone');
    const registered = new Promise<object>((resolve) =>
      platform.broker.aedes.on('client', (client) => {
        if (client.id === clientId) resolve(client.conn);
      }),
    );
    const device = await TestDevice.connect(platform.endpoints.mqtt, userId, 'phone', await platform.tokenFor(userId, 'phone'));
    try {
      const conn = await registered;
      // Node cannot read TCP_NODELAY back; what it asked of the kernel is on the socket (node:net's kSetNoDelay).
      const noDelay = Object.getOwnPropertySymbols(conn).find((symbol) => symbol.description === 'kSetNoDelay');
      expect(noDelay).toBeDefined();
      expect((conn as Record<symbol, unknown>)[noDelay!]).toBe(true);
    } finally {
      await device.close();
    }
  });
});
