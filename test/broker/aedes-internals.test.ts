/**
 * Pins every shape broker/aedes-internals.ts relies on, against the installed Aedes and
 * aedes-persistence-redis: an upgrade that renames a member, changes a wording or moves a call
 * fails here, by name, instead of quietly breaking delivery marks, signals or Wills in production.
 * A bare Aedes on a real socket with real MQTT.js clients; nothing of the platform around it.
 */
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { createServer, connect as connectTcp, type AddressInfo, type Server, type Socket } from 'node:net';
import { Aedes, type Client, type PublishPacket } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createRedisPersistence,
  exactSubscriptionQos,
  forgetConnectPassword,
  isConnectTimeout,
  isLastWill,
  keepNewestConnection,
  lowerQosOnPublish,
  onBackgroundError,
  onPuback,
  REDIS_PERSISTENCE_MODULE,
  retainedMessages,
  takePacketId,
  tapConnection,
  willClientId,
  type RedisPersistence,
} from '../../broker/aedes-internals.js';

const CONNECT_TIMEOUT_MS = 100;
/** Aedes sweeps the Wills of dead nodes every 4 heartbeats. */
const HEARTBEAT_MS = 25;

let aedes: Aedes;
let server: Server;
let url: string;
const clients: MqttClient[] = [];

beforeEach(async () => {
  aedes = await Aedes.createBroker({ connectTimeout: CONNECT_TIMEOUT_MS, heartbeatInterval: HEARTBEAT_MS });
  server = createServer((socket) => aedes.handle(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  await new Promise<void>((resolve) => aedes.close(() => resolve()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A device connected to the bare broker, and Aedes' own Client object for it. */
async function device(clientId: string, options: mqtt.IClientOptions = {}): Promise<{ mqtt: MqttClient; client: Client }> {
  const connected = new Promise<Client>((resolve) => {
    const onClient = (client: Client) => {
      if (client.id !== clientId) return;
      aedes.removeListener('client', onClient);
      resolve(client);
    };
    aedes.on('client', onClient);
  });
  const connection = await mqtt.connectAsync(url, { clientId, protocolVersion: 4, clean: true, reconnectPeriod: 0, ...options });
  clients.push(connection);
  return { mqtt: connection, client: await connected };
}

const publishFromBroker = (topic: string, qos: 0 | 1, retain = false): Promise<void> =>
  new Promise((resolve, reject) =>
    aedes.publish({ cmd: 'publish', topic, payload: Buffer.from('x'), qos, retain, dup: false }, (error) =>
      error ? reject(error) : resolve(),
    ),
  );

const nextPacket = (connection: MqttClient) =>
  new Promise<mqtt.IPublishPacket>((resolve) => connection.once('message', (_topic, _payload, packet) => resolve(packet)));

describe('the Aedes internals the broker relies on', () => {
  it("takes packet ids from the client's own counter: Aedes numbers its next QoS 1 packet right after ours", async () => {
    const { mqtt: phone, client } = await device('phone');
    await phone.subscribeAsync('room', { qos: 1 });
    const ours = takePacketId(client);
    const arriving = nextPacket(phone);
    await publishFromBroker('room', 1);
    expect((await arriving).messageId).toBe(ours === 65_535 ? 1 : ours + 1);
  });

  it("reads a client's exact subscriptions and their QoS", async () => {
    const { mqtt: phone, client } = await device('phone');
    await phone.subscribeAsync({ 'room/a': { qos: 0 }, 'room/b': { qos: 1 } });
    expect([
      exactSubscriptionQos(client, 'room/a'),
      exactSubscriptionQos(client, 'room/b'),
      exactSubscriptionQos(client, 'room/c'),
    ]).toEqual([0, 1, undefined]);
  });

  it('sees every PUBACK with its packet id', async () => {
    const acked: [string, number | undefined][] = [];
    onPuback(aedes, (client, messageId) => acked.push([client.id, messageId]));
    const { mqtt: phone } = await device('phone');
    await phone.subscribeAsync('room', { qos: 1 });
    const arriving = nextPacket(phone);
    await publishFromBroker('room', 1);
    const { messageId } = await arriving;
    await expect.poll(() => acked).toEqual([['phone', messageId]]);
  });

  it("tells a connection's Last Will from its other publishes in authorizePublish", async () => {
    const seen: { topic: string; isWill: boolean }[] = [];
    aedes.authorizePublish = (client, packet, done) => {
      seen.push({ topic: packet.topic, isWill: isLastWill(client, packet) });
      done(null);
    };
    const { mqtt: phone } = await device('phone', { will: { topic: 'will', payload: Buffer.from('gone'), qos: 1, retain: false } });
    await phone.publishAsync('ordinary', 'x', { qos: 1 });
    phone.stream.destroy(); // no DISCONNECT: the Will fires
    await expect
      .poll(() => seen)
      .toEqual([
        { topic: 'ordinary', isWill: false },
        { topic: 'will', isWill: true },
      ]);
  });

  it("hands a dead node's Will to authorizePublish with no client, carrying the client id", async () => {
    const wills: { client: Client | null; packet: PublishPacket }[] = [];
    aedes.authorizePublish = (client, packet, done) => {
      wills.push({ client, packet });
      done(null);
    };
    const persistence = (aedes as unknown as { persistence: { putWill(client: object, packet: object): Promise<void> } }).persistence;
    const will = { cmd: 'publish', topic: 'will', payload: Buffer.from('gone'), qos: 1, retain: false, brokerId: '' };
    await persistence.putWill({ id: 'ada:phone' }, will);
    will.brokerId = 'a-node-that-died'; // stored by this node, as if by another one that stopped beating
    await expect.poll(() => wills.length, { timeout: 5_000 }).toBeGreaterThan(0);
    const [{ client, packet }] = wills as [{ client: Client | null; packet: PublishPacket }];
    expect(client).toBeNull();
    expect(isLastWill(client, packet)).toBe(true);
    expect(willClientId(packet)).toBe('ada:phone');
  });

  it("keeps the CONNECT's password in the connection's parser until told to forget it, and parses on without it", async () => {
    const { mqtt: connection, client } = await device('secretive', { username: 'u', password: 'a-token' });
    const settings = (client as unknown as { _parser: { settings: { password?: Buffer } } })._parser.settings;
    expect(settings.password?.toString()).toBe('a-token');
    forgetConnectPassword(client);
    expect(settings.password).toBeUndefined();
    await connection.subscribeAsync('after', { qos: 1 });
    const received = nextPacket(connection);
    await connection.publishAsync('after', 'x', { qos: 1 });
    expect((await received).topic).toBe('after');
  });

  it("reports a connection without CONNECT in Aedes' own wording", async () => {
    const errors = new Promise<Error>((resolve) => aedes.once('connectionError', (_client, error) => resolve(error)));
    const silent = connectTcp((server.address() as AddressInfo).port, '127.0.0.1');
    try {
      expect(isConnectTimeout(await errors)).toBe(true);
    } finally {
      silent.destroy();
    }
  });

  it("emits failures of its own background work as 'error' on the broker", async () => {
    const failed = new Promise<Error>((resolve) => onBackgroundError(aedes, resolve));
    const persistence = (aedes as unknown as { persistence: { streamWill: () => AsyncIterable<unknown> } }).persistence;
    persistence.streamWill = async function* () {
      yield* [];
      throw new Error('wills unreadable');
    };
    expect((await failed).message).toBe('wills unreadable');
  });

  it('delivers a QoS 1 PUBLISH at QoS 0 when asked, after acknowledging it to the publisher', async () => {
    lowerQosOnPublish(aedes, (packet) => packet.topic === 'typing');
    const { mqtt: watcher } = await device('watcher');
    await watcher.subscribeAsync('typing', { qos: 1 });
    const { mqtt: typist } = await device('typist');
    const arriving = nextPacket(watcher);
    await typist.publishAsync('typing', 'x', { qos: 1 }); // resolves on the PUBACK
    expect((await arriving).qos).toBe(0);
  });

  it('reads the retained messages of a topic pattern', async () => {
    await publishFromBroker('presence/ada', 0, true);
    const topics: string[] = [];
    for await (const packet of retainedMessages(aedes, 'presence/#')) topics.push(packet.topic);
    expect(topics).toEqual(['presence/ada']);
  });

  it('finds the async Redis persistence where it is loaded from, with every method the platform calls or wraps', () => {
    const require = createRequire(import.meta.url);
    const AsyncRedisPersistence = require(REDIS_PERSISTENCE_MODULE) as { prototype: Record<string, unknown> };
    const methods: (keyof RedisPersistence)[] = [
      'createRetainedStreamCombi',
      'streamWill',
      'outgoingStream',
      'cleanSubscriptions',
      'cleanIncoming',
      'delWill',
      'putWill',
      'storeRetained',
      'destroy',
    ];
    expect(methods.filter((name) => typeof AsyncRedisPersistence.prototype[name] !== 'function')).toEqual([]);
    expect(typeof createRedisPersistence).toBe('function');
  });
});

describe("tapping a connection's socket", () => {
  // Aedes reads only with read() from a 'readable' listener: a chunk the tap refuses there is never
  // parsed. Through a 'data' listener the same chunk would already be on its way to the parser.
  it('parses nothing of a chunk the tap refuses, and reads the socket in paused mode', async () => {
    let isRefusing = false;
    const sockets: Socket[] = [];
    const tapped = createServer((socket) => {
      sockets.push(socket);
      tapConnection(socket, {
        read() {
          if (!isRefusing) return true;
          socket.destroy();
          return false;
        },
        beforeWrite: () => undefined,
        afterWrite: () => undefined,
        beforeDestroy: () => undefined,
      });
      aedes.handle(socket);
    });
    tapped.listen(0, '127.0.0.1');
    await once(tapped, 'listening');
    try {
      const authorized: string[] = [];
      let sawAllowed!: () => void;
      const allowedSeen = new Promise<void>((resolve) => (sawAllowed = resolve));
      aedes.authorizePublish = (_client, packet, done) => {
        authorized.push(packet.topic);
        if (packet.topic === 'allowed') sawAllowed();
        done(null);
      };
      const port = (tapped.address() as AddressInfo).port;
      const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'tapped', clean: true, reconnectPeriod: 0 });
      clients.push(device);
      expect(sockets[0]!.readableFlowing).toBe(false);
      await device.publishAsync('allowed', 'x', { qos: 0 });
      await allowedSeen;
      isRefusing = true;
      const closed = new Promise<void>((resolve) => device.once('close', () => resolve()));
      device.publish('refused', 'x', { qos: 0 });
      await closed;
      expect(authorized).toEqual(['allowed']);
    } finally {
      await new Promise<void>((resolve) => tapped.close(() => resolve()));
    }
  });
});

describe('keeping the newest connection of a client id', () => {
  // The reconnect-storm race: connection 1's CONNECT is still being authenticated when the phone
  // gives up on it and connects again; connection 2 registers first, then connection 1 finishes.
  it('closes an older connection whose CONNECT finishes after a newer one registered, without its Will, and keeps the newer one registered', async () => {
    const refused: string[] = [];
    keepNewestConnection(aedes, { refused: (client) => refused.push(client.id), takenOver: () => undefined });
    const wills: string[] = [];
    aedes.authorizePublish = (_client, packet, done) => {
      if (packet.topic === 'will') wills.push(packet.payload.toString());
      done(null);
    };
    let letStaleIn!: () => void;
    const staleMayPass = new Promise<void>((resolve) => (letStaleIn = resolve));
    const staleAsked = new Promise<void>((resolve) => {
      aedes.authenticate = (_client, username, _password, done) => {
        if (username !== 'stale') return done(null, true);
        resolve();
        void staleMayPass.then(() => done(null, true));
      };
    });
    const options = (username: string): mqtt.IClientOptions => ({
      clientId: 'phone',
      username,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 0,
      will: { topic: 'will', payload: Buffer.from(username), qos: 0, retain: false },
    });
    const stale = mqtt.connect(url, options('stale'));
    clients.push(stale);
    stale.on('error', () => undefined);
    await staleAsked;
    const { mqtt: live, client: liveClient } = await device('phone', options('live'));
    const liveClosed = new Promise<void>((resolve) => live.once('close', () => resolve()));
    const staleClosed = new Promise<void>((resolve) => stale.once('close', () => resolve()));
    letStaleIn();
    const firstClosed = await Promise.race([staleClosed.then(() => 'stale'), liveClosed.then(() => 'live')]);
    expect(firstClosed, 'the connection the broker closed').toBe('stale');
    // A round trip on the live connection after the stale one is gone: it still answers.
    await live.subscribeAsync('room', { qos: 1 });
    expect(live.connected).toBe(true);
    expect(stale.connected).toBe(false);
    expect(refused).toEqual(['phone']);
    expect((aedes as unknown as { clients: Record<string, Client> }).clients['phone']).toBe(liveClient);
    expect(wills).toEqual([]);
    await live.endAsync();
    await liveClosed;
  });
});
