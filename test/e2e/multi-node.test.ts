/**
 * docs/architecture.md#several-broker-nodes: two broker nodes share one PostgreSQL and one Redis
 * (aedes-persistence-redis + the local-first emitter over Redis pub/sub). Members on different
 * nodes chat in one order, and a removal made through one node's API stops deliveries on the other
 * node at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.js';
import { silentLogger } from '../../lib/log.js';
import { startPlatform, type Platform } from '../../platform/platform.js';
import { NackReason, decodePresence, decodeReceipt, encodeReceipt, presenceTopic, receiptTopic } from '../../schema/index.js';
import { openDb, type Db } from '../../store/index.js';
import { backendAvailable, createTestDatabase, REDIS_URL } from '../support/backends.js';
import { TestDevice } from '../support/device.js';
import { flushRedisDb } from '../support/redis.js';

const available = (await backendAvailable('postgres')) && (await backendAvailable('redis'));
const secrets = { jwtSecret: 'multi-node-secret-0123456789abcdef', adminToken: 'multi-node-admin-token' };

describe.skipIf(!available)('two broker nodes on one Redis and one PostgreSQL', () => {
  const nodes: { platform: Platform; db: Db }[] = [];
  const devices: TestDevice[] = [];
  let drop: () => Promise<void> = () => Promise.resolve();

  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    const redisUrl = `${REDIS_URL}/3`;
    await flushRedisDb(redisUrl);
    for (let i = 0; i < 2; i += 1) {
      const config = loadConfig({ MQTT_PORT: '0', WS_PORT: '0', API_PORT: '0', DATABASE_URL: database.url, REDIS_URL: redisUrl });
      const { db } = await openDb({ databaseUrl: config.DATABASE_URL });
      nodes.push({ db, platform: await startPlatform(config, { db, secrets, log: silentLogger() }) });
    }
  });

  afterAll(async () => {
    await Promise.all(devices.map((d) => d.close()));
    for (const { platform, db } of nodes) {
      await platform.close();
      await db.close();
    }
    await drop();
  });

  async function admin(node: number, method: string, url: string, body?: object) {
    const r = await nodes[node]!.platform.api.inject({
      method: method as 'POST',
      url,
      headers: { authorization: `Bearer ${secrets.adminToken}` },
      ...(body === undefined ? {} : { payload: body }),
    });
    return r.json();
  }

  async function deviceOn(node: number, userId: string, deviceId = 'phone'): Promise<TestDevice> {
    const { token } = await admin(node, 'POST', '/v1/tokens', { userId, deviceId });
    const d = await TestDevice.connect(nodes[node]!.platform.endpoints.mqtt!, userId, deviceId, token);
    devices.push(d);
    return d;
  }

  it('delivers across nodes in one order, and a removal through node A stops delivery on node B', async () => {
    const [alice, bob, carol] = await Promise.all(
      ['alice', 'bob', 'carol'].map(async (name) => (await admin(0, 'POST', '/v1/users', { name })).id as string),
    );
    const room = await admin(0, 'POST', '/v1/rooms', { name: 'two nodes', kind: 'group', members: [alice, bob, carol] });
    const onA = await deviceOn(0, alice!);
    const bobOnB = await deviceOn(1, bob!);
    const carolOnB = await deviceOn(1, carol!);
    for (const d of [onA, bobOnB, carolOnB]) expect(await d.joinRoom(room.id)).toBe(1);

    await onA.send(room.id, 'a1', room.memberVersion, 'from node A');
    await bobOnB.send(room.id, 'b1', room.memberVersion, 'from node B');
    const seenOnB = await carolOnB.waitForMessages(room.id, 2);
    const seenOnA = await onA.waitForMessages(room.id, 2);
    expect(seenOnB.map((m) => [m.seq, m.clientMsgId])).toEqual(seenOnA.map((m) => [m.seq, m.clientMsgId]));
    expect(seenOnB.map((m) => m.seq)).toEqual([1, 2]);

    const removal = await admin(0, 'DELETE', `/v1/rooms/${room.id}/members/${carol}`);
    await carolOnB.waitFor((o) => o.kind === 'inbox' && 'event' in o.item && o.item.event.userId === carol, 'removal event on node B');
    await onA.send(room.id, 'a2', removal.memberVersion, 'carol must not see this');
    await bobOnB.waitForMessages(room.id, 3);
    expect(carolOnB.messages(room.id).map((m) => m.clientMsgId)).toEqual(['a1', 'b1']);
    await carolOnB.send(room.id, 'c1', removal.memberVersion, 'still here?');
    expect(await carolOnB.waitForNack('c1')).toMatchObject({ reason: NackReason.NACK_REASON_NOT_MEMBER });
  });

  it('relays receipts across nodes clamped to the last seq, and stops presence to a former peer on the other node', async () => {
    const [alice, bob, carol, dave] = await Promise.all(
      ['alice', 'bob', 'carol', 'dave'].map(async (name) => (await admin(0, 'POST', '/v1/users', { name })).id as string),
    );
    const room = await admin(0, 'POST', '/v1/rooms', { name: 'peers', kind: 'group', members: [alice, bob] });
    await admin(0, 'POST', '/v1/rooms', { name: 'bob and dave', kind: 'group', members: [bob, dave] });
    await admin(0, 'POST', '/v1/rooms', { name: 'alice and carol', kind: 'group', members: [alice, carol] });
    const aliceOnA = await deviceOn(0, alice!);
    const bobOnB = await deviceOn(1, bob!);
    await aliceOnA.client.subscribeAsync(receiptTopic(room.id), { qos: 0 });
    expect(await bobOnB.joinRoom(room.id)).toBe(1);
    await bobOnB.client.subscribeAsync([presenceTopic(alice!), presenceTopic(dave!)], { qos: 0 });

    for (const id of ['p1', 'p2', 'p3']) await aliceOnA.send(room.id, id, room.memberVersion, id);
    await bobOnB.waitForMessages(room.id, 3);
    bobOnB.client.publish(receiptTopic(room.id), Buffer.from(encodeReceipt({ readSeq: 3, userId: '' })), { qos: 0 });
    bobOnB.client.publish(receiptTopic(room.id), Buffer.from(encodeReceipt({ readSeq: Number.MAX_SAFE_INTEGER, userId: '' })), { qos: 0 });
    const receipts = () =>
      aliceOnA.observations.flatMap((o) => (o.kind === 'other' && o.topic === receiptTopic(room.id) ? [decodeReceipt(o.payload)] : []));
    await aliceOnA.waitFor(() => receipts().length === 2, 'two receipts from node B');
    expect(receipts()).toEqual([
      { readSeq: 3, userId: bob },
      { readSeq: 3, userId: bob },
    ]);

    const carolOnB = await deviceOn(1, carol!);
    await carolOnB.client.subscribeAsync(presenceTopic(alice!), { qos: 0 });
    const presenceSeen = (watcher: TestDevice, userId: string) =>
      watcher.observations.filter((o) => o.kind === 'other' && o.topic === presenceTopic(userId));
    await admin(0, 'DELETE', `/v1/rooms/${room.id}/members/${bob}`);
    await bobOnB.waitFor((o) => o.kind === 'inbox' && 'event' in o.item && o.item.event.userId === bob, 'removal event on node B');
    const [bobSaw, carolSaw] = [presenceSeen(bobOnB, alice!).length, presenceSeen(carolOnB, alice!).length];
    await deviceOn(0, alice!, 'laptop'); // alice's presence is announced again from node A
    await carolOnB.waitFor(() => presenceSeen(carolOnB, alice!).length > carolSaw, "alice's announcement, on node B");
    const daveOnA = await deviceOn(0, dave!); // announced after alice's: a marker for bob
    await bobOnB.waitFor(
      () => presenceSeen(bobOnB, dave!).some((o) => o.kind === 'other' && decodePresence(o.payload).online),
      'dave online',
    );
    expect(presenceSeen(bobOnB, alice!)).toHaveLength(bobSaw);
    expect(daveOnA.client.connected).toBe(true);
  });
});
