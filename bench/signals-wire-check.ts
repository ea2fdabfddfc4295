/**
 * Part 2, checked on the live platform: real MQTT.js devices reach it through byte-counting
 * TCP proxies, over MQTT/TCP and over MQTT/WebSocket, and one typing event's bytes are read off
 * the proxies. This is what the computed table cannot see: how many writes, and so WebSocket
 * frames, the client library and the broker cut one MQTT packet into.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { once } from 'node:events';
import { connect, createServer, type Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { listenOn } from '../lib/listen.js';
import { deviceClientId, encodeTyping, TypingState, typingTopic } from '../schema/index.js';

const EVENTS = 50;
const WAIT_LIMIT_MS = 10_000;
const POLL_MS = 20;
// Seconds (MQTT.js). Long, so no PINGREQ lands among the counted bytes.
const KEEPALIVE_SECONDS = 600;

export type Transport = 'tcp' | 'ws';

export interface MeasuredWire {
  /** Bytes per typing event, as counted on the proxies. */
  clientToBroker: Record<Transport, number>;
  brokerToReceiver: Record<Transport, number>;
  events: number;
}

export interface WireCheckSetup {
  mqttUrl: string;
  wsUrl: string;
  roomId: string;
  /** A member who sends and two who receive, each with a token per device id ('tcp', 'ws'). */
  sender: { userId: string; tokens: Record<Transport, string> };
  receivers: Record<Transport, { userId: string; token: string }>;
}

interface CountingProxy {
  /** The target URL with the proxy's port. */
  url: string;
  /** Bytes from the client to the target, and back. */
  bytes(): { up: number; down: number };
  close(): Promise<void>;
}

async function startCountingProxy(targetUrl: string): Promise<CountingProxy> {
  const target = new URL(targetUrl);
  const counted = { up: 0, down: 0 };
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true);
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      counted.up += chunk.length;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      counted.down += chunk.length;
      client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const port = await listenOn(server, 0, target.hostname, 'counting proxy port');
  const url = new URL(targetUrl);
  url.port = String(port);
  return {
    url: url.toString(),
    bytes: () => ({ ...counted }),
    async close() {
      server.close();
      await once(server, 'close');
    },
  };
}

interface ProxiedDevice {
  client: MqttClient;
  proxy: CountingProxy;
  received: () => number;
}

async function connectThroughProxy(
  brokerUrl: string,
  userId: string,
  deviceId: string,
  token: string,
  topic?: string,
): Promise<ProxiedDevice> {
  const proxy = await startCountingProxy(brokerUrl);
  let received = 0;
  try {
    const client = await mqtt.connectAsync(proxy.url, {
      clientId: deviceClientId(userId, deviceId),
      username: userId,
      password: token,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 0,
      keepalive: KEEPALIVE_SECONDS,
    });
    client.on('message', () => (received += 1));
    if (topic !== undefined) await client.subscribeAsync(topic, { qos: 0 });
    return { client, proxy, received: () => received };
  } catch (error) {
    await proxy.close();
    throw error;
  }
}

/** Sends EVENTS typing events from the sender's `transport` device; resolves with its bytes up. */
async function sendAndCount(
  sender: ProxiedDevice,
  topic: string,
  receivers: readonly ProxiedDevice[],
  targetEach: number,
): Promise<number> {
  const payload = Buffer.from(encodeTyping({ state: TypingState.TYPING_STATE_START, userId: '' }));
  const before = sender.proxy.bytes().up;
  for (let i = 0; i < EVENTS; i++) await sender.client.publishAsync(topic, payload, { qos: 0 });
  const deadlineMs = performance.now() + WAIT_LIMIT_MS;
  while (receivers.some((r) => r.received() < targetEach)) {
    if (performance.now() > deadlineMs) throw new Error(`wire check: typing events not delivered within ${WAIT_LIMIT_MS} ms`);
    await sleep(POLL_MS);
  }
  // Every event reached the receivers, so the proxy has forwarded, and counted, all of the sender's bytes.
  return sender.proxy.bytes().up - before;
}

export async function measureWire(setup: WireCheckSetup): Promise<MeasuredWire> {
  const topic = typingTopic(setup.roomId);
  const urls: Record<Transport, string> = { tcp: setup.mqttUrl, ws: setup.wsUrl };
  const devices: ProxiedDevice[] = [];
  try {
    const receiver = async (transport: Transport) => {
      const { userId, token } = setup.receivers[transport];
      const device = await connectThroughProxy(urls[transport], userId, `wire-${transport}`, token, topic);
      devices.push(device);
      return device;
    };
    const sender = async (transport: Transport) => {
      const device = await connectThroughProxy(urls[transport], setup.sender.userId, `wire-${transport}`, setup.sender.tokens[transport]);
      devices.push(device);
      return device;
    };
    const receivers = { tcp: await receiver('tcp'), ws: await receiver('ws') };
    const senders = { tcp: await sender('tcp'), ws: await sender('ws') };
    const downBefore = { tcp: receivers.tcp.proxy.bytes().down, ws: receivers.ws.proxy.bytes().down };
    const all = [receivers.tcp, receivers.ws];
    const upTcp = await sendAndCount(senders.tcp, topic, all, EVENTS);
    const upWs = await sendAndCount(senders.ws, topic, all, 2 * EVENTS);
    const down = (t: Transport) => (receivers[t].proxy.bytes().down - downBefore[t]) / (2 * EVENTS);
    return {
      clientToBroker: { tcp: upTcp / EVENTS, ws: upWs / EVENTS },
      brokerToReceiver: { tcp: down('tcp'), ws: down('ws') },
      events: EVENTS,
    };
  } finally {
    await Promise.all(
      devices.map(async (d) => {
        await d.client.endAsync(true);
        await d.proxy.close();
      }),
    );
  }
}
