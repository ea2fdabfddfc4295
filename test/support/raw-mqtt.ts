/**
 * MQTT clients below MQTT.js, for tests that misbehave on purpose: a subscriber that stops
 * reading its socket (TCP or WebSocket), or a connection that never finishes its handshake.
 * Packets are built with mqtt-packet; the first replies are read, then the test decides.
 */
import { once } from 'node:events';
import { createConnection, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';
import WebSocket from 'ws';
import { deviceClientId } from '../../schema/index.js';

export interface RawConnectOptions {
  userId: string;
  deviceId: string;
  token: string;
  keepaliveSeconds?: number;
}

const generate = (packet: mqttPacket.Packet): Buffer => mqttPacket.generate(packet, { protocolVersion: 4 });

export const connectPacket = (options: RawConnectOptions): Buffer =>
  generate({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    keepalive: options.keepaliveSeconds ?? 60,
    clientId: deviceClientId(options.userId, options.deviceId),
    username: options.userId,
    password: Buffer.from(options.token),
  });

const subscribePacket = (topic: string): Buffer => generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic, qos: 1 }] });

/** Feeds bytes to a parser and resolves with the first packet of the wanted kind. */
function packetReader(): { feed: (chunk: Buffer) => void; next: (cmd: string) => Promise<mqttPacket.Packet> } {
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const seen: mqttPacket.Packet[] = [];
  const waiting: { cmd: string; resolve(p: mqttPacket.Packet): void }[] = [];
  parser.on('packet', (packet) => {
    const waiter = waiting.findIndex((w) => w.cmd === packet.cmd);
    if (waiter >= 0) waiting.splice(waiter, 1)[0]!.resolve(packet);
    else seen.push(packet);
  });
  return {
    feed: (chunk) => void parser.parse(chunk),
    next: (cmd) => {
      const earlier = seen.findIndex((p) => p.cmd === cmd);
      if (earlier >= 0) return Promise.resolve(seen.splice(earlier, 1)[0]!);
      return new Promise((resolve) => waiting.push({ cmd, resolve }));
    },
  };
}

/** A subscribed connection whose reading the test can stop. */
export interface StalledSubscriber {
  /** Stops reading: from now on the broker's bytes pile up in the kernel and then in the broker. */
  stopReading(): void;
  /** Resolves when the connection is gone (closed by the broker, read or not). */
  closed: Promise<void>;
  destroy(): void;
}

/** Over plain TCP: CONNECT, SUBSCRIBE `topic` at QoS 1, wait for CONNACK 0 and the SUBACK. */
export async function subscribeOverTcp(mqttUrl: string, options: RawConnectOptions, topic: string): Promise<StalledSubscriber> {
  const { hostname, port } = new URL(mqttUrl);
  const socket: Socket = createConnection({ host: hostname, port: Number(port) });
  socket.on('error', () => undefined); // a reset by the broker is the expected end
  const reader = packetReader();
  socket.on('data', reader.feed);
  const closed = once(socket, 'close').then(() => undefined);
  await once(socket, 'connect');
  socket.write(connectPacket(options));
  const connack = (await reader.next('connack')) as mqttPacket.IConnackPacket;
  if (connack.returnCode !== 0) throw new Error(`CONNACK ${connack.returnCode}`);
  socket.write(subscribePacket(topic));
  await reader.next('suback');
  return {
    stopReading() {
      socket.off('data', reader.feed);
      socket.pause();
    },
    closed,
    destroy: () => socket.destroy(),
  };
}

/** Over WebSocket at `wsUrl`: the same handshake, one MQTT packet per binary message. */
export async function subscribeOverWebSocket(wsUrl: string, options: RawConnectOptions, topic: string): Promise<StalledSubscriber> {
  const ws = new WebSocket(wsUrl, 'mqtt');
  ws.on('error', () => undefined);
  const reader = packetReader();
  const onMessage = (data: Buffer) => reader.feed(data);
  ws.on('message', onMessage);
  const closed = once(ws, 'close').then(() => undefined);
  await once(ws, 'open');
  ws.send(connectPacket(options));
  const connack = (await reader.next('connack')) as mqttPacket.IConnackPacket;
  if (connack.returnCode !== 0) throw new Error(`CONNACK ${connack.returnCode}`);
  ws.send(subscribePacket(topic));
  await reader.next('suback');
  // ws keeps its TCP socket private; pausing it stops reading exactly as a stuck phone would.
  const socket = (ws as unknown as { _socket: Socket })._socket;
  return {
    stopReading() {
      ws.off('message', onMessage);
      socket.pause();
    },
    closed,
    destroy: () => ws.terminate(),
  };
}

/** Sends one CONNECT over TCP and resolves with the CONNACK return code (then closes). */
export async function connackCode(mqttUrl: string, options: RawConnectOptions): Promise<number> {
  const { hostname, port } = new URL(mqttUrl);
  const socket = createConnection({ host: hostname, port: Number(port) });
  socket.on('error', () => undefined);
  const reader = packetReader();
  socket.on('data', reader.feed);
  try {
    await once(socket, 'connect');
    socket.write(connectPacket(options));
    return ((await reader.next('connack')) as mqttPacket.IConnackPacket).returnCode ?? 0;
  } finally {
    socket.destroy();
  }
}

/** A TCP connection that sends nothing at all; `closed` resolves when the server closes it. */
export async function idleConnection(url: string): Promise<{ socket: Socket; closed: Promise<void> }> {
  const { hostname, port } = new URL(url);
  const socket = createConnection({ host: hostname, port: Number(port) });
  socket.on('error', () => undefined);
  socket.resume(); // read whatever comes, so the server's FIN is seen
  const closed = once(socket, 'close').then(() => undefined);
  await once(socket, 'connect');
  return { socket, closed };
}
