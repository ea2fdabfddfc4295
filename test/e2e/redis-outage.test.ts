/**
 * Redis killed in the middle of a send burst between two platform nodes (real processes) that
 * share it and one PostgreSQL; Redis is a private redis-server the test starts itself. While it
 * is gone each node keeps serving its own clients (sends acked, live delivery on the node, new
 * connections and subscriptions) and says "degraded" on /healthz; once it is back, cross-node
 * delivery resumes by itself and a device on the other node fills what it missed by seq.
 * Nothing acknowledged is lost. `OUTAGE_SECONDS=30` stretches the outage to the bound.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage, devicePresenceTopic, encodeDeviceStatus, parseTopic } from '../../schema/index.js';
import { backendAvailable, createTestDatabase, usableOrSkip } from '../support/backends.js';
import { TestDevice } from '../support/device.js';
import { compareWithHistory, eventually, OUTAGE_MS, roomHistory, startBurst, untilHealth } from '../support/outage.js';
import { spawnPlatform, type PlatformProcess } from '../support/platform-process.js';
import { privateRedisProblem, startPrivateRedis, type PrivateRedis } from '../support/private-redis.js';
import { rest } from '../support/rest-client.js';
import { createTestClient, FAST, type TestClient } from '../sdk/support/sdk-client.js';

const ADMIN_TOKEN = 'redis-outage-admin-token';
const SECRETS = { ADMIN_TOKEN, JWT_SECRET: 'redis-outage-jwt-secret-0123456789abcdef' };
const SEND_INTERVAL_MS = 20;
const SENDS_BEFORE_OUTAGE = 40;

const usable = (await backendAvailable('postgres')) && usableOrSkip('redis', 'private Redis', await privateRedisProblem());

describe.skipIf(!usable)('Redis goes away in the middle of a send burst between two nodes', () => {
  let redis: PrivateRedis;
  const nodes: PlatformProcess[] = [];
  const clients: TestClient[] = [];
  const devices: TestDevice[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    redis = await startPrivateRedis();
    const database = await createTestDatabase();
    cleanups.push(database.drop);
    for (let i = 0; i < 2; i += 1) {
      const dataDir = await mkdtemp(join(tmpdir(), 'redis-outage-'));
      cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
      nodes.push(
        await spawnPlatform({
          ...SECRETS,
          DATABASE_URL: database.url,
          REDIS_URL: redis.url,
          DATA_DIR: dataDir,
          // One device sends every SEND_INTERVAL_MS, faster than a person: the send rate limit is not under test here.
          SEND_RATE_PER_SECOND: '1000',
          SEND_BURST: '1000',
        }),
      );
    }
  });
  afterAll(async () => {
    for (const c of clients) c.client.close();
    await Promise.all(devices.map((d) => d.close().catch(() => undefined)));
    await Promise.all(nodes.map((n) => n.stop('SIGTERM')));
    await redis?.destroy();
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  const admin = (method: string, path: string, body?: unknown) => rest(nodes[0]!.apiUrl, ADMIN_TOKEN, method, path, body);
  const tokenOf = async (userId: string) => (await admin('POST', '/v1/tokens', { userId, deviceId: 'phone' })).json.token as string;

  async function phone(node: PlatformProcess, userId: string, roomId: string): Promise<TestClient> {
    const client = createTestClient({
      mqttUrl: node.mqttUrl,
      apiUrl: node.apiUrl,
      userId,
      deviceId: 'phone',
      token: await tokenOf(userId),
      ...FAST,
    });
    clients.push(client);
    void client.client.connect();
    await client.untilSubscribed(roomId);
    return client;
  }

  async function device(node: PlatformProcess, userId: string, roomId: string): Promise<TestDevice> {
    // With a Will, as phones connect: storing it in Redis is one of the calls that must not fail the CONNECT.
    const will = {
      topic: devicePresenceTopic(userId, 'phone'),
      payload: Buffer.from(encodeDeviceStatus({ online: false, heartbeatMs: 0 })),
      qos: 1 as const,
      retain: true,
    };
    const d = await TestDevice.connect(node.mqttUrl, userId, 'phone', await tokenOf(userId), { will });
    devices.push(d);
    expect(await d.joinRoom(roomId)).toBe(1);
    return d;
  }

  /** When each room message reached `d`, by client message id: live deliveries, timed. */
  function arrivals(d: TestDevice): Map<string, number> {
    const seen = new Map<string, number>();
    d.client.on('message', (topic, payload) => {
      if (parseTopic(topic)?.kind === 'room') seen.set(decodeMessage(payload).clientMsgId, Date.now());
    });
    return seen;
  }

  it(
    'keeps each node serving its own clients, reports degraded, and resumes cross-node delivery by itself',
    { timeout: 150_000 + OUTAGE_MS * 3 },
    async () => {
      const [nodeA, nodeB] = nodes as [PlatformProcess, PlatformProcess];
      const ids = await Promise.all(
        ['alice', 'bob', 'carol', 'dave', 'erin'].map(async (name) => (await admin('POST', '/v1/users', { name })).json.id as string),
      );
      const [aliceId, bobId, carolId, daveId, erinId] = ids as [string, string, string, string, string];
      const roomId = (await admin('POST', '/v1/rooms', { name: 'two nodes', kind: 'group', members: ids })).json.id as string;
      const alice = await phone(nodeA, aliceId, roomId); // sends the burst on node A
      const bob = await phone(nodeB, bobId, roomId); // on node B: must end up with everything
      const carolOnA = await device(nodeA, carolId, roomId);
      const daveOnB = await device(nodeB, daveId, roomId);
      const liveOnA = arrivals(carolOnA);
      const liveOnB = arrivals(daveOnB);

      const burst = startBurst((i) => alice.client.send(roomId, `burst ${i}`), SEND_INTERVAL_MS);
      await eventually(() => burst.acked().length >= SENDS_BEFORE_OUTAGE, 'acks before the outage', 30_000);
      await eventually(() => liveOnB.size > 0, 'cross-node delivery before the outage', 10_000);

      const killedAtMs = Date.now();
      await redis.stop('SIGKILL');
      for (const node of nodes) {
        const degraded = await untilHealth(node.apiUrl, (h) => h.checks['redis'] === false, 10_000);
        expect(degraded.health).toMatchObject({
          httpStatus: 200,
          status: 'degraded',
          checks: { database: true, broker: true, redis: false },
        });
        expect(await (await fetch(`${node.apiUrl}/metrics`)).text()).toContain('chat_dependency_up{dependency="redis"} 0');
      }

      // Node A keeps serving its clients: sends acked and delivered live on the node, a new connection and subscription work.
      const sentWhileDown = () => burst.acked().filter((a) => a.atMs > killedAtMs + 500);
      await eventually(
        () => sentWhileDown().some((a) => liveOnA.has(a.clientMsgId)),
        'a live delivery on node A while Redis is down',
        10_000,
      );
      const erinOnA = await device(nodeA, erinId, roomId);
      const liveAtErin = arrivals(erinOnA);
      await eventually(() => liveAtErin.size > 0, 'a delivery to a device that connected while Redis was down', 10_000);
      // Presence lives in Redis: asking for it now is a retryable 503, not a 500.
      const presence = await rest(nodeA.apiUrl, await tokenOf(aliceId), 'GET', `/v1/presence?userIds=${bobId}`);
      expect([presence.status, presence.json.error.code]).toEqual([503, 'ERR_UNAVAILABLE']);
      // So does node B: its own device's send is acked.
      const fromB = await bob.client.send(roomId, 'sent on node B while Redis is down');

      await sleep(Math.max(0, killedAtMs + OUTAGE_MS - Date.now()));
      for (const node of nodes) expect(node.child.exitCode, 'every node is alive').toBeNull();

      await redis.start();
      const backAtMs = Date.now();
      await Promise.all(nodes.map((node) => untilHealth(node.apiUrl, (h) => h.status === 'ok', 30_000)));
      const healthyAfterMs = Date.now() - backAtMs;
      const sentAfterBack = () =>
        new Set(
          burst
            .acked()
            .filter((a) => a.atMs >= backAtMs)
            .map((a) => a.clientMsgId),
        );
      await eventually(() => [...sentAfterBack()].some((id) => liveOnB.has(id)), 'cross-node delivery after the restart', 30_000);
      const crossNodeAfterMs = Math.min(...[...sentAfterBack()].flatMap((id) => liveOnB.get(id) ?? [])) - backAtMs;

      await burst.stop(60_000 + OUTAGE_MS);
      expect(
        burst.records.filter((r) => r.acked === undefined),
        'sends never acked',
      ).toEqual([]);
      const acked = [...burst.acked(), fromB];
      const history = await roomHistory(nodeA.apiUrl, ADMIN_TOKEN, roomId);
      expect(compareWithHistory(acked, history)).toEqual({ lost: [], wrongSeq: [], duplicates: [], gaps: [] });
      // Bob's phone on node B missed the burst's middle live; it fills that by seq.
      await bob.until(() => bob.seqs(roomId).length >= history.length, 'every stored message at bob on node B');
      expect(bob.seqs(roomId)).toEqual(history.map((m) => m.seq));
      for (const node of nodes) expect(node.child.exitCode, 'every node is alive').toBeNull();

      const ackedWhileDown = acked.filter((a) => 'atMs' in a && (a.atMs as number) > killedAtMs && (a.atMs as number) < backAtMs).length;
      const missedLiveOnB = history.filter((m) => !liveOnB.has(m.clientMsgId)).length;
      console.log(
        `Redis killed for ${OUTAGE_MS} ms: both nodes ok on /healthz ${healthyAfterMs} ms after it was back, cross-node delivery ` +
          `${crossNodeAfterMs} ms; ${acked.length} sends acked (${ackedWhileDown} while it was down), 0 lost, 0 duplicated; ` +
          `${missedLiveOnB} messages reached node B by gap-fill instead of live`,
      );
    },
  );
});
