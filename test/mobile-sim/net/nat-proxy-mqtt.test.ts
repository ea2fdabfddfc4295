/**
 * The NAT proxy in front of a real broker (plain in-process Aedes, as bench/plain-aedes.ts
 * starts it) with a real MQTT.js client: what a phone on a carrier NAT lives through. After the
 * idle drop the phone still believes it is connected, its PINGREQ never reaches the broker, the
 * broker still counts it as connected, and a new connection through the same NAT works.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startNatProxy, type NatProxy } from '../../../mobile-sim/net/nat-proxy.js';
import { createVirtualClock, type VirtualClock } from '../../../devtools/index.js';
import { createNatEventLog, type NatEventLog } from './nat-event-log.js';

const IDLE_MS = 5 * 60_000;

let broker: Aedes;
let server: Server;
let proxy: NatProxy;
let clock: VirtualClock;
let log: NatEventLog;
let clients: MqttClient[];
let brokerPings: string[];

beforeEach(async () => {
  broker = await Aedes.createBroker();
  brokerPings = [];
  broker.on('ping', (_packet, client) => brokerPings.push(client.id));
  server = createServer((socket) => broker.handle(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no broker address');
  clock = createVirtualClock();
  log = createNatEventLog();
  clients = [];
  proxy = await startNatProxy(
    { targetHost: '127.0.0.1', targetPort: address.port, idleTimeoutMs: IDLE_MS },
    { clock, onEvent: log.onEvent },
  );
});

afterEach(async () => {
  await Promise.all(clients.map((client) => client.endAsync(true)));
  await proxy.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await new Promise<void>((resolve) => broker.close(() => resolve()));
});

/** Connects through the NAT the way the SDK does: a long keepalive, no automatic reconnect. */
async function connectPhone(clientId: string): Promise<MqttClient> {
  const client = mqtt.connect(`mqtt://${proxy.host}:${proxy.port}`, { clientId, protocolVersion: 4, keepalive: 900, reconnectPeriod: 0 });
  clients.push(client);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}

function nextPingresp(client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    const onPacket = (packet: { cmd: string }) => {
      if (packet.cmd !== 'pingresp') return;
      client.off('packetreceive', onPacket);
      resolve();
    };
    client.on('packetreceive', onPacket);
  });
}

describe('NAT proxy with a real MQTT client and broker', () => {
  it('answers PINGREQ before the idle drop, swallows it after, and lets a new connection through', async () => {
    const phone = await connectPhone('alice:phone');
    const answered = nextPingresp(phone);
    phone.sendPing();
    await answered;
    expect(brokerPings).toEqual(['alice:phone']);

    clock.advance(IDLE_MS);
    expect(log.events).toContainEqual({ kind: 'dropped', mappingId: 1, droppedAtMs: IDLE_MS });

    let gotPingresp = false;
    void nextPingresp(phone).then(() => (gotPingresp = true));
    // Once the proxy has thrown the bytes away they can no longer reach the broker.
    const swallowed = log.next((e) => e.kind === 'discarded' && e.direction === 'up');
    phone.sendPing();
    await swallowed;
    expect(brokerPings).toEqual(['alice:phone']); // the PINGREQ never reached the broker, so no PINGRESP can come
    expect(gotPingresp).toBe(false);
    expect(phone.connected).toBe(true); // the phone has no way to know but the missing answer
    expect(broker.connectedClients).toBe(1); // nor has the broker, until its own keepalive runs out

    const again = await connectPhone('alice:phone-reconnected');
    const answeredAgain = nextPingresp(again);
    again.sendPing();
    await answeredAgain;
    await again.subscribeAsync('rooms/r1', { qos: 1 });
    const delivered = new Promise<[string, Buffer]>((resolve) => again.once('message', (topic, payload) => resolve([topic, payload])));
    await again.publishAsync('rooms/r1', 'hello again', { qos: 1 });
    const [topic, payload] = await delivered;
    expect([topic, payload.toString()]).toEqual(['rooms/r1', 'hello again']);
    expect(proxy.stats()).toMatchObject({ mappingsOpened: 2, mappingsDropped: 1, mappingsOpen: 1 });
  });
});
