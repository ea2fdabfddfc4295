/**
 * docs/architecture.md#several-workers-on-one-machine: WORKERS=2 runs two broker processes of one
 * node behind one set of ports, as real processes on real sockets, once with the in-machine bus
 * (no Redis: publishes and presence through the primary) and once over Redis. Devices land on both
 * workers (each metric names its worker); they chat across workers in one gapless order; a room
 * whose members are all on one worker sends nothing to the other; presence crosses workers,
 * retained included (also on a worker started after it); and a worker killed with SIGKILL in the middle of a burst loses no
 * PUBACKed send, its devices reconnect at once, and the primary starts a new one.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { decodePresence, encodeSend, presenceTopic } from '../../schema/index.js';
import { backendAvailable, createTestDatabase, REDIS_URL } from '../support/backends.js';
import { TestDevice } from '../support/device.js';
import { spawnPlatform, type PlatformProcess } from '../support/platform-process.js';
import { flushRedisDb } from '../support/redis.js';
import { rest } from '../support/rest-client.js';
import { metricValue, scrapeWorkers } from '../support/workers.js';

const ADMIN_TOKEN = 'workers-test-admin-token';
const ENV = { ADMIN_TOKEN, JWT_SECRET: 'workers-test-jwt-secret-0123456789abcdef', WORKERS: '2', SEND_BURST: '1000', LOG_LEVEL: 'info' };
const BURST = 120;
const KILL_AFTER_PUBACKS = 30;

const hasPostgres = await backendAvailable('postgres');
const hasRedis = await backendAvailable('redis');

function describeWorkers(name: string, available: boolean, extraEnv: () => Promise<Record<string, string>>) {
  describe.skipIf(!available)(`WORKERS=2 ${name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    });

    it(
      'spreads devices over both workers, chats across them in order, keeps presence, and survives SIGKILL of a worker',
      { timeout: 180_000 },
      async () => {
        const database = await createTestDatabase();
        cleanups.push(database.drop);
        const node: PlatformProcess = await spawnPlatform({ ...ENV, DATABASE_URL: database.url, ...(await extraEnv()) });
        cleanups.push(() => node.stop('SIGTERM'));
        const admin = (method: string, path: string, body?: unknown) => rest(node.apiUrl, ADMIN_TOKEN, method, path, body);
        const user = async (userName: string) => (await admin('POST', '/v1/users', { name: userName })).json.id as string;
        const [alice, bob, carol, erin] = [await user('alice'), await user('bob'), await user('carol'), await user('erin')];
        const room = (await admin('POST', '/v1/rooms', { name: 'across', kind: 'group', members: [alice, bob, carol, erin] })).json;
        const quiet = (await admin('POST', '/v1/rooms', { name: 'one worker', kind: 'group', members: [alice, carol] })).json;

        const connections = async () => {
          const scraped = await scrapeWorkers(node.apiUrl, 2);
          return [0, 1].map((w) => metricValue(scraped.get(w)!, 'chat_mqtt_connections'));
        };
        const devices: TestDevice[] = [];
        cleanups.push(() => Promise.all(devices.map((d) => d.close())).then(() => undefined));
        /** A device of `userId` on worker `target`: connect, see which worker's count rose, retry until it is `target`. */
        async function connectOn(target: number, userId: string, deviceId = 'phone'): Promise<TestDevice> {
          const { token } = (await admin('POST', '/v1/tokens', { userId, deviceId })).json;
          for (let attempt = 0; attempt < 8; attempt += 1) {
            const before = await connections();
            const device = await TestDevice.connect(node.mqttUrl, userId, deviceId, token);
            const after = await connections();
            if (after[target]! > before[target]!) {
              devices.push(device);
              return device;
            }
            await device.close();
          }
          throw new Error(`${userId} never landed on worker ${target}`);
        }

        // Devices on both workers.
        const aliceOn0 = await connectOn(0, alice);
        const bobOn1 = await connectOn(1, bob);
        const carolOn0 = await connectOn(0, carol);
        expect((await connections()).every((count) => count > 0)).toBe(true);

        // Chat across workers: one order, gapless, seen the same on both.
        for (const d of [aliceOn0, bobOn1, carolOn0]) expect(await d.joinRoom(room.id)).toBe(1);
        for (let i = 0; i < 5; i += 1) {
          await aliceOn0.send(room.id, `a${i}`, room.memberVersion, `from worker 0 #${i}`);
          await bobOn1.send(room.id, `b${i}`, room.memberVersion, `from worker 1 #${i}`);
        }
        const seenOn1 = (await bobOn1.waitForMessages(room.id, 10)).map((m) => [m.seq, m.clientMsgId]);
        const seenOn0 = (await carolOn0.waitForMessages(room.id, 10)).map((m) => [m.seq, m.clientMsgId]);
        expect(seenOn1).toEqual(seenOn0);
        expect(seenOn1.map(([seq]) => seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

        // A room whose members are all on worker 0: worker 1 receives none of its messages.
        const roomReceived = async (w: number) =>
          metricValue((await scrapeWorkers(node.apiUrl, 2)).get(w)!, 'chat_bus_received_total', { topic_kind: 'room' });
        const worker1Before = await roomReceived(1);
        expect(worker1Before).toBeGreaterThanOrEqual(5); // alice's five, relayed to bob: the counter counts
        for (const d of [aliceOn0, carolOn0]) expect(await d.joinRoom(quiet.id)).toBe(1);
        for (let i = 0; i < 30; i += 1) await aliceOn0.send(quiet.id, `q${i}`, quiet.memberVersion, `quiet #${i}`);
        expect((await carolOn0.waitForMessages(quiet.id, 30)).map((m) => m.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
        expect(await roomReceived(1)).toBe(worker1Before);

        // Presence across workers: erin comes online on worker 0 while bob on worker 1 watches; a later subscriber gets it retained.
        await bobOn1.client.subscribeAsync(presenceTopic(erin), { qos: 0 });
        const presenceOf = (watcher: TestDevice, userId: string) =>
          watcher.observations.flatMap((o) => (o.kind === 'other' && o.topic === presenceTopic(userId) ? [decodePresence(o.payload)] : []));
        const erinOn0 = await connectOn(0, erin);
        await bobOn1.waitFor(() => presenceOf(bobOn1, erin).some((p) => p.online), 'erin online, seen on worker 1');
        const carolOn1 = await connectOn(1, carol, 'tablet');
        await carolOn1.client.subscribeAsync(presenceTopic(erin), { qos: 0 });
        await carolOn1.waitFor(() => presenceOf(carolOn1, erin).some((p) => p.online), "erin's retained presence on worker 1");
        const bobToken = (await admin('POST', '/v1/tokens', { userId: bob, deviceId: 'phone' })).json.token as string;
        expect((await rest(node.apiUrl, bobToken, 'GET', `/v1/presence?userIds=${erin}`)).json.presence[0].online).toBe(true);
        await erinOn0.close();
        await bobOn1.waitFor(() => presenceOf(bobOn1, erin).some((p) => !p.online), 'erin offline, seen on worker 1');

        // SIGKILL worker 1 in the middle of bob's burst.
        const workerPid = (index: number): number => {
          const lines = node
            .output()
            .split('\n')
            .filter((l) => l.includes('"worker ready"') && l.includes(`"worker":${index},`));
          return JSON.parse(lines.at(-1)!).pid as number;
        };
        const doomed = workerPid(1);
        const acknowledged: string[] = [];
        bobOn1.client.on('error', () => undefined);
        await new Promise<void>((resolve) => {
          for (let i = 0; i < BURST; i += 1) {
            bobOn1.client.publish(`chat/user/${bob}/send`, sendPayload(room.id, `k${i}`, room.memberVersion), { qos: 1 }, (error) => {
              if (error !== undefined && error !== null) return;
              acknowledged.push(`k${i}`);
              if (acknowledged.length === KILL_AFTER_PUBACKS) {
                process.kill(doomed, 'SIGKILL');
                resolve();
              }
            });
          }
        });
        await new Promise<void>((resolve) => (bobOn1.client.connected ? bobOn1.client.once('close', () => resolve()) : resolve()));
        const acked = [...acknowledged];
        expect(acked.length).toBeGreaterThanOrEqual(KILL_AFTER_PUBACKS);
        // Its device reconnects at once (the surviving worker takes it), and the primary brings worker 1 back.
        const bobAgain = await TestDevice.connect(node.mqttUrl, bob, 'phone', bobToken);
        devices.push(bobAgain);
        await expect.poll(() => node.output().includes('worker restarted and ready'), { timeout: 60_000, interval: 200 }).toBe(true);
        expect(workerPid(1)).not.toBe(doomed);
        expect((await scrapeWorkers(node.apiUrl, 2)).size).toBe(2);
        // The new worker 1 has the retained presence made before it existed, though nobody there ever watched alice.
        const bobOnNew1 = await connectOn(1, bob, 'laptop');
        await bobOnNew1.client.subscribeAsync(presenceTopic(alice), { qos: 0 });
        await bobOnNew1.waitFor(() => presenceOf(bobOnNew1, alice).some((p) => p.online), "alice's retained presence on the new worker 1");

        const history = await rest(node.apiUrl, bobToken, 'GET', `/v1/rooms/${room.id}/messages?after=0&limit=500`);
        const stored = history.json.messages as { clientMsgId: string; seq: number }[];
        expect(stored.map((m) => m.clientMsgId)).toEqual(expect.arrayContaining(acked));
        expect(stored.map((m) => m.seq)).toEqual(stored.map((_, i) => i + 1));
        // What alice saw live on worker 0 during the burst is in seq order with no repeats.
        const aliceSeqs = aliceOn0.messages(room.id).map((m) => m.seq);
        expect(aliceSeqs).toEqual([...aliceSeqs].sort((a, b) => a - b));
        expect(new Set(aliceSeqs).size).toBe(aliceSeqs.length);
        // And the node still chats across workers after the restart.
        await bobAgain.joinRoom(room.id);
        await aliceOn0.send(room.id, 'after', room.memberVersion, 'after the restart');
        await bobAgain.waitFor((o) => o.kind === 'message' && o.message.clientMsgId === 'after', 'a message after the restart');
      },
    );
  });
}

function sendPayload(roomId: string, clientMsgId: string, roomVersion: number): Buffer {
  return Buffer.from(encodeSend({ roomId, clientMsgId, roomVersion, body: Buffer.from(clientMsgId), contentType: 'text/plain' }));
}

describeWorkers('without Redis: the in-machine bus', hasPostgres, async () => ({}));
describeWorkers('on Redis', hasPostgres && hasRedis, async () => {
  const redisUrl = `${REDIS_URL}/5`;
  await flushRedisDb(redisUrl);
  return { REDIS_URL: redisUrl };
});
