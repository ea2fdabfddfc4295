/**
 * Presence (docs/signals.md#presence): aggregated over a user's devices, announced retained on
 * chat/presence/{userId}, visible only to users who share a room, and flipped offline within the
 * TTL when the node holding the connections dies without a packet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.js';
import { silentLogger } from '../../lib/log.js';
import { startPlatform, type Platform } from '../../platform/platform.js';
import { decodePresence, devicePresenceTopic, encodeDeviceStatus, presenceTopic, type Presence } from '../../schema/index.js';
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
    await nodeA?.kill();
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
    watcher = await TestDevice.connect(nodeB!.platform.endpoints.mqtt, bob, 'phone', await token(bob));
    await watcher.client.subscribeAsync(presenceTopic(alice), { qos: 0 });
    const onA = await TestDevice.connect(nodeA!.mqttUrl, alice, 'phone', await token(alice));
    onA.client.on('error', () => undefined);
    await waitPresence(watcher, alice, true);
    await nodeA!.kill('SIGKILL'); // no Will, no DISCONNECT: the node just stops
    const killedAt = Date.now();
    await waitPresence(watcher, alice, false);
    const flipMs = Date.now() - killedAt;
    expect(flipMs).toBeLessThan(Number(PRESENCE.PRESENCE_TTL_MS) + 2 * Number(PRESENCE.PRESENCE_REFRESH_MS) + 1_000);
    onA.client.end(true);
  });
});
