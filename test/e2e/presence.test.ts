/**
 * Presence (docs/signals.md#presence): aggregated over a user's devices, announced retained on
 * chat/presence/{userId}, visible only to users who share a room, and flipped offline within the
 * TTL when the node holding the connections dies without a packet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.js';
import { silentLogger } from '../../lib/log.js';
import { startPlatform, type Platform } from '../../platform/platform.js';
import type { PublishPacket } from 'aedes';
import { retainedMessages } from '../../broker/index.js';
import { DROPPED_SIGNAL_TOPIC } from '../../broker/publish-relay.js';
import {
  TypingState,
  decodePresence,
  devicePresenceTopic,
  encodeDeviceStatus,
  encodePresence,
  encodeTyping,
  presenceTopic,
  typingTopic,
  type Presence,
} from '../../schema/index.js';
import { openDb, type Db } from '../../store/index.js';
import { backendAvailable, createTestDatabase, REDIS_URL } from '../support/backends.js';
import { TestDevice, type Observation } from '../support/device.js';
import { spawnPlatform, type PlatformProcess } from '../support/platform-process.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { flushRedisDb } from '../support/redis.js';
import { rest } from '../support/rest-client.js';

const presenceOf = (userId: string) => (o: Observation) => o.kind === 'other' && o.topic === presenceTopic(userId);
const latestPresence = (watcher: TestDevice, userId: string): Presence | undefined => {
  const seen = watcher.observations.filter(presenceOf(userId));
  const last = seen[seen.length - 1];
  return last?.kind === 'other' ? decodePresence(last.payload) : undefined;
};
const waitPresence = (watcher: TestDevice, userId: string, online: boolean) =>
  watcher.waitFor(() => latestPresence(watcher, userId)?.online === online, `${userId} ${online ? 'online' : 'offline'}`);
const seenOn = (watcher: TestDevice, topic: string): Buffer[] =>
  watcher.observations.flatMap((o) => (o.kind === 'other' && o.topic === topic ? [o.payload] : []));

async function counted(
  counter: { get(): Promise<{ values: { labels: Record<string, unknown>; value: number }[] }> },
  labels: Record<string, string>,
) {
  const { values } = await counter.get();
  return values.find((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want))?.value ?? 0;
}

/** A protobuf field the schema does not know (number 15, length-delimited) of `length` bytes. */
const unknownField = (length: number): Buffer => Buffer.concat([Buffer.from([(15 << 3) | 2, length]), Buffer.alloc(length, 0x61)]);

describe('presence on one node', () => {
  let platform: TestPlatform;
  const devices: TestDevice[] = [];
  beforeAll(async () => {
    platform = await startTestPlatform({ database: 'pglite', brokerState: 'memory' });
  });
  afterAll(async () => {
    await Promise.all(devices.map((d) => d.close().catch(() => undefined)));
    await platform?.stop();
  });

  const connect = async (userId: string, deviceId: string) => {
    const d = await TestDevice.connect(platform.endpoints.mqtt, userId, deviceId, await platform.tokenFor(userId, deviceId), {
      will: {
        topic: devicePresenceTopic(userId, deviceId),
        payload: Buffer.from(encodeDeviceStatus({ online: false, heartbeatMs: 0 })),
        qos: 1,
        retain: true,
      },
    });
    devices.push(d);
    return d;
  };

  it('keeps a user with two devices online until both leave, then offline with last_seen', async () => {
    const [alice, bob] = [await platform.createUser('alice'), await platform.createUser('bob')];
    await platform.createRoom([alice, bob]);
    const watcher = await connect(bob, 'phone');
    await watcher.client.subscribeAsync(presenceTopic(alice), { qos: 0 });
    const phone = await connect(alice, 'phone');
    const laptop = await connect(alice, 'laptop');
    await waitPresence(watcher, alice, true);
    await phone.close(); // graceful: flips at once for this device
    const afterOne = await platform.admin('GET', `/v1/presence?userIds=${alice}`);
    expect(afterOne.json.presence).toEqual([{ userId: alice, online: true, lastSeenMs: 0 }]);
    const beforeLeaving = Date.now();
    laptop.client.stream.destroy(); // ungraceful: the socket dies, the Will fires
    await waitPresence(watcher, alice, false);
    expect(latestPresence(watcher, alice)!.lastSeenMs).toBeGreaterThanOrEqual(beforeLeaving);
    const bobToken = await platform.tokenFor(bob, 'phone');
    const viaRest = await platform.as(bobToken, 'GET', `/v1/presence?userIds=${alice}`);
    expect(viaRest.json.presence).toEqual([{ userId: alice, online: false, lastSeenMs: latestPresence(watcher, alice)!.lastSeenMs }]);
  });

  it('shows presence only to users who share a room', async () => {
    const [alice, stranger] = [await platform.createUser('alice'), await platform.createUser('stranger')];
    await platform.createRoom([alice]);
    const snoop = await connect(stranger, 'phone');
    const granted = await snoop.client
      .subscribeAsync(presenceTopic(alice), { qos: 0 })
      .catch((e: { packet?: { granted?: number[] } }) => e.packet?.granted);
    expect(Array.isArray(granted) ? granted.map((g) => (typeof g === 'number' ? g : g.qos)) : granted).toEqual([128]);
    const viaRest = await platform.as(await platform.tokenFor(stranger, 'phone'), 'GET', `/v1/presence?userIds=${alice},${stranger}`);
    expect(viaRest.json.presence.map((p: { userId: string }) => p.userId)).toEqual([stranger]);
  });

  /** What the broker holds retained on `topic` (Aedes' retained store). */
  async function retainedOn(topic: string): Promise<Buffer[]> {
    const found: Buffer[] = [];
    for await (const packet of retainedMessages(platform.broker.aedes, topic)) found.push(packet.payload as Buffer);
    return found;
  }

  it('stops delivering presence to a former room peer once they share no room, and keeps delivering to a peer who still does', async () => {
    const [alice, bob, carol, dave] = await Promise.all(['alice', 'bob', 'carol', 'dave'].map((n) => platform.createUser(n)));
    const shared = await platform.createRoom([alice!, bob!]);
    await platform.createRoom([alice!, carol!]);
    await platform.createRoom([bob!, dave!]);
    const [bobPhone, carolPhone] = [await connect(bob!, 'phone'), await connect(carol!, 'phone')];
    const aliceTopics = [presenceTopic(alice!), devicePresenceTopic(alice!, 'phone')];
    for (const watcher of [bobPhone, carolPhone]) await watcher.client.subscribeAsync(aliceTopics, { qos: 1 });
    await bobPhone.client.subscribeAsync(presenceTopic(dave!), { qos: 0 });
    const alicePhone = await connect(alice!, 'phone');
    await waitPresence(bobPhone, alice!, true);
    await waitPresence(carolPhone, alice!, true);

    expect((await platform.admin('DELETE', `/v1/rooms/${shared.id}/members/${bob}`)).status).toBe(200);
    await bobPhone.waitFor((o) => o.kind === 'inbox' && 'event' in o.item && o.item.event.userId === bob, 'the removal');
    const bobSawBefore = aliceTopics.map((t) => seenOn(bobPhone, t).length);
    alicePhone.client.stream.destroy(); // the Will (device offline), then the aggregate offline
    await waitPresence(carolPhone, alice!, false);
    expect(seenOn(carolPhone, devicePresenceTopic(alice!, 'phone'))).toHaveLength(1);
    await connect(alice!, 'phone');
    await waitPresence(carolPhone, alice!, true);
    await connect(dave!, 'phone'); // announced after all of alice's changes: a marker for bob
    await waitPresence(bobPhone, dave!, true);
    expect(aliceTopics.map((t) => seenOn(bobPhone, t).length)).toEqual(bobSawBefore);
  });

  it("keeps chat/presence/{userId} the platform's: a device's retained publish there closes its connection, and its Will there is dropped", async () => {
    const [mallory, watcherId] = [await platform.createUser('mallory'), await platform.createUser('watcher')];
    await platform.createRoom([mallory, watcherId]);
    const watcher = await connect(watcherId, 'phone');
    await watcher.client.subscribeAsync(presenceTopic(mallory), { qos: 0 });
    const forged = Buffer.from(encodePresence({ online: true, lastSeenMs: 42 }));
    const laptop = await TestDevice.connect(platform.endpoints.mqtt, mallory, 'laptop', await platform.tokenFor(mallory, 'laptop'), {
      will: { topic: presenceTopic(mallory), payload: forged, qos: 1, retain: true },
    });
    devices.push(laptop);
    const phone = await connect(mallory, 'phone');
    await waitPresence(watcher, mallory, true);
    const closed = new Promise<void>((resolve) => phone.client.once('close', () => resolve()));
    phone.client.publish(presenceTopic(mallory), forged, { qos: 1, retain: true });
    await closed;
    const willsBefore = await counted(platform.metrics.signalsDropped, { kind: 'will', reason: 'not_presence' });
    laptop.client.stream.destroy();
    await waitPresence(watcher, mallory, false); // announced after the Will was handled
    expect(seenOn(watcher, presenceTopic(mallory)).map((p) => decodePresence(p).lastSeenMs)).not.toContain(42);
    expect(await counted(platform.metrics.signalsDropped, { kind: 'will', reason: 'not_presence' })).toBe(willsBefore + 1);
    expect((await retainedOn(presenceTopic(mallory))).map(decodePresence)).toEqual([latestPresence(watcher, mallory)]);
  });

  it('relays and retains device presence only as a small DeviceStatus, re-encoded; drops anything else, counted, keeping the connection', async () => {
    const [alice, bob] = [await platform.createUser('alice'), await platform.createUser('bob')];
    await platform.createRoom([alice, bob]);
    const topic = devicePresenceTopic(alice, 'phone');
    const watcher = await connect(bob, 'phone');
    await watcher.client.subscribeAsync(topic, { qos: 1 });
    const phone = await connect(alice, 'phone');
    const before = await counted(platform.metrics.signalsDropped, { kind: 'device_presence', reason: 'malformed' });
    const valid = Buffer.from(encodeDeviceStatus({ online: true, heartbeatMs: 240_000 }));
    // One at a time (each awaits its PUBACK), so they are handled in this order.
    await phone.client.publishAsync(topic, Buffer.from([0xff, 0xff, 0xff]), { qos: 1, retain: true }); // not protobuf
    await phone.client.publishAsync(topic, Buffer.concat([valid, unknownField(100)]), { qos: 1, retain: true }); // too large
    await phone.client.publishAsync(topic, Buffer.concat([valid, unknownField(2)]), { qos: 1, retain: true });
    await watcher.waitFor((o) => o.kind === 'other' && o.topic === topic, 'the valid status');
    expect(seenOn(watcher, topic)).toEqual([valid]);
    expect(await counted(platform.metrics.signalsDropped, { kind: 'device_presence', reason: 'malformed' })).toBe(before + 2);
    expect(phone.client.connected).toBe(true);
    expect(await retainedOn(topic)).toEqual([valid]);
  });

  it("drops a device's Will whose payload is not a DeviceStatus: watchers get only the platform's offline", async () => {
    const [alice, bob] = [await platform.createUser('alice'), await platform.createUser('bob')];
    await platform.createRoom([alice, bob]);
    const topic = devicePresenceTopic(alice, 'tablet');
    const watcher = await connect(bob, 'phone');
    await watcher.client.subscribeAsync([topic, presenceTopic(alice)], { qos: 1 });
    const tablet = await TestDevice.connect(platform.endpoints.mqtt, alice, 'tablet', await platform.tokenFor(alice, 'tablet'), {
      will: { topic, payload: Buffer.from([0xff, 0xff]), qos: 1, retain: true },
    });
    devices.push(tablet);
    await waitPresence(watcher, alice, true);
    tablet.client.stream.destroy();
    await waitPresence(watcher, alice, false); // announced after the Will was handled
    expect(seenOn(watcher, topic)).toEqual([]);
    expect(await retainedOn(topic)).toEqual([]);
  });

  it("honours a dead node's Will (no client left) only as a DeviceStatus on its own device's presence topic", async () => {
    const aedes = platform.broker.aedes;
    const authorize = (topic: string, payload: Uint8Array): Promise<string> => {
      // As a surviving node finds it in the shared persistence: the client id and node are on the packet.
      const will = {
        cmd: 'publish',
        topic,
        payload: Buffer.from(payload),
        qos: 1,
        retain: true,
        dup: false,
        clientId: 'alice:phone',
        brokerId: 'gone',
      };
      return new Promise((resolve, reject) =>
        aedes.authorizePublish(null, will as PublishPacket, (error) => (error ? reject(error) : resolve(will.topic))),
      );
    };
    const offline = encodeDeviceStatus({ online: false, heartbeatMs: 0 });
    const typing = encodeTyping({ state: TypingState.TYPING_STATE_START, userId: '' });
    expect(await authorize(devicePresenceTopic('alice', 'phone'), offline)).toBe(devicePresenceTopic('alice', 'phone'));
    for (const [topic, payload] of [
      [devicePresenceTopic('alice', 'phone'), new Uint8Array([0xff, 0xff])],
      [devicePresenceTopic('alice', 'laptop'), offline],
      [devicePresenceTopic('bob', 'phone'), offline],
      [presenceTopic('alice'), encodePresence({ online: true, lastSeenMs: 0 })],
      [typingTopic('r1'), typing],
    ] as const) {
      expect(await authorize(topic, payload)).toBe(DROPPED_SIGNAL_TOPIC);
    }
  });

  it("closes the connection of a client publishing to another user's presence topic", async () => {
    const [alice, mallory] = [await platform.createUser('alice'), await platform.createUser('mallory')];
    const intruder = await connect(mallory, 'phone');
    const closed = new Promise<void>((resolve) => intruder.client.once('close', () => resolve()));
    intruder.client.publish(devicePresenceTopic(alice, 'phone'), Buffer.from(encodeDeviceStatus({ online: true, heartbeatMs: 0 })), {
      qos: 1,
      retain: true,
    });
    await closed;
  });
});

const multiNode = (await backendAvailable('postgres')) && (await backendAvailable('redis'));

describe.skipIf(!multiNode)('presence when a node dies (Redis)', () => {
  const PRESENCE = { PRESENCE_REFRESH_MS: '200', PRESENCE_TTL_MS: '600' };
  const secrets = { jwtSecret: 'presence-crash-secret-0123456789abcdef', adminToken: 'presence-crash-admin' };
  let nodeA: PlatformProcess | undefined;
  let nodeB: { platform: Platform; db: Db } | undefined;
  let watcher: TestDevice | undefined;
  let drop: () => Promise<void> = () => Promise.resolve();

  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    const redisUrl = `${REDIS_URL}/5`;
    await flushRedisDb(redisUrl);
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      ADMIN_TOKEN: secrets.adminToken,
      JWT_SECRET: secrets.jwtSecret,
      ...PRESENCE,
    };
    nodeA = await spawnPlatform(env);
    const config = loadConfig({ MQTT_PORT: '0', WS_PORT: '0', API_PORT: '0', ...env });
    const { db } = await openDb({ databaseUrl: database.url });
    nodeB = { db, platform: await startPlatform(config, { db, secrets, log: silentLogger() }) };
  }, 120_000);

  afterAll(async () => {
    await watcher?.close();
    await nodeA?.stop('SIGKILL');
    await nodeB?.platform.close();
    await nodeB?.db.close();
    await drop();
  });

  it('flips a user of a SIGKILLed node offline within the TTL, seen on the surviving node', async () => {
    const api = nodeA!.apiUrl;
    const alice = (await rest(api, secrets.adminToken, 'POST', '/v1/users', { name: 'alice' })).json.id as string;
    const bob = (await rest(api, secrets.adminToken, 'POST', '/v1/users', { name: 'bob' })).json.id as string;
    await rest(api, secrets.adminToken, 'POST', '/v1/rooms', { name: 'r', kind: 'group', members: [alice, bob] });
    const token = async (userId: string) =>
      (await rest(api, secrets.adminToken, 'POST', '/v1/tokens', { userId, deviceId: 'phone' })).json.token as string;
    watcher = await TestDevice.connect(nodeB!.platform.endpoints.mqtt!, bob, 'phone', await token(bob));
    await watcher.client.subscribeAsync(presenceTopic(alice), { qos: 0 });
    const onA = await TestDevice.connect(nodeA!.mqttUrl, alice, 'phone', await token(alice));
    onA.client.on('error', () => undefined);
    await waitPresence(watcher, alice, true);
    await nodeA!.stop('SIGKILL'); // no Will, no DISCONNECT: the node just stops
    const killedAt = Date.now();
    await waitPresence(watcher, alice, false);
    const flipMs = Date.now() - killedAt;
    expect(flipMs).toBeLessThan(Number(PRESENCE.PRESENCE_TTL_MS) + 2 * Number(PRESENCE.PRESENCE_REFRESH_MS) + 1_000);
    onA.client.end(true);
  });
});
