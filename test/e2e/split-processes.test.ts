/**
 * docs/architecture.md#split-processes: each part can run as its own process. Broker, bridge and
 * api run as three processes on one PostgreSQL; a device on the broker and a bot on the REST API
 * chat.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestDevice } from '../support/device.js';
import { backendAvailable, createTestDatabase } from '../support/backends.js';
import { spawnPart, type PartProcess } from '../support/platform-process.js';
import { rest } from '../support/rest-client.js';

const ADMIN_TOKEN = 'split-test-admin-token';
const available = await backendAvailable('postgres');

describe.skipIf(!available)('the platform split into broker, bridge and api processes', () => {
  const parts: PartProcess[] = [];
  let dropDatabase: () => Promise<void> = () => Promise.resolve();
  let mqttUrl: string;
  let apiUrl: string;

  beforeAll(async () => {
    const database = await createTestDatabase();
    dropDatabase = database.drop;
    const env = { DATABASE_URL: database.url, ADMIN_TOKEN, JWT_SECRET: 'split-test-jwt-secret-0123456789abcdef' };
    const broker = await spawnPart('broker', env, /broker: (?<mqttUrl>mqtt:\/\/\S+)/);
    parts.push(broker);
    mqttUrl = broker.found['mqttUrl']!;
    parts.push(await spawnPart('bridge', { ...env, BROKER_URL: mqttUrl }, /bridge: consuming sends/));
    const api = await spawnPart('api', { ...env, BROKER_URL: mqttUrl }, /api: (?<apiUrl>http:\/\/\S+)/);
    parts.push(api);
    apiUrl = api.found['apiUrl']!;
  }, 120_000);

  afterAll(async () => {
    for (const part of parts.reverse()) await part.stop('SIGTERM');
    await dropDatabase();
  });

  it('sequences a device send and a REST send into one room, delivered over MQTT', async () => {
    const alice = (await rest(apiUrl, ADMIN_TOKEN, 'POST', '/v1/users', { name: 'alice' })).json.id as string;
    const bot = (await rest(apiUrl, ADMIN_TOKEN, 'POST', '/v1/users', { name: 'bot' })).json.id as string;
    const room = (await rest(apiUrl, ADMIN_TOKEN, 'POST', '/v1/rooms', { name: 'split', kind: 'group', members: [alice, bot] })).json;
    const aliceToken = (await rest(apiUrl, ADMIN_TOKEN, 'POST', '/v1/tokens', { userId: alice, deviceId: 'phone' })).json.token as string;
    const botToken = (await rest(apiUrl, ADMIN_TOKEN, 'POST', '/v1/tokens', { userId: bot, deviceId: 'server' })).json.token as string;

    const device = await TestDevice.connect(mqttUrl, alice, 'phone', aliceToken);
    try {
      expect(await device.joinRoom(room.id)).toBe(1);
      await device.send(room.id, 'from-phone', room.memberVersion, 'hello from the phone');
      expect(await device.waitForAck('from-phone')).toMatchObject({ seq: 1 });
      const sent = await rest(apiUrl, botToken, 'POST', `/v1/rooms/${room.id}/messages`, {
        clientMsgId: 'from-bot',
        roomVersion: room.memberVersion,
        body: Buffer.from('hello from the bot').toString('base64'),
      });
      expect([sent.status, sent.json.seq]).toEqual([201, 2]);
      const messages = await device.waitForMessages(room.id, 2);
      expect(messages.map((m) => [m.seq, m.clientMsgId, m.senderId])).toEqual([
        [1, 'from-phone', alice],
        [2, 'from-bot', bot],
      ]);
    } finally {
      await device.close();
    }
  });

  it('cuts a device on the broker process within a second of a revocation made through the api process', async () => {
    const user = (await rest(apiUrl, ADMIN_TOKEN, 'POST', '/v1/users', { name: 'revoked' })).json.id as string;
    const token = (await rest(apiUrl, ADMIN_TOKEN, 'POST', '/v1/tokens', { userId: user, deviceId: 'phone' })).json.token as string;
    const device = await TestDevice.connect(mqttUrl, user, 'phone', token);
    const startMs = Date.now();
    const cutAfterMs = new Promise<number>((resolve) => device.client.once('close', () => resolve(Date.now() - startMs)));
    // The api publishes the notice to the broker process over MQTT, as the service identity.
    expect((await rest(apiUrl, ADMIN_TOKEN, 'POST', '/v1/admin/revocations', { userId: user, deviceId: 'phone' })).status).toBe(201);
    expect(await cutAfterMs).toBeLessThan(1_000);
    await expect(TestDevice.connect(mqttUrl, user, 'phone', token)).rejects.toThrow(/Not authorized/i);
    await device.close();
  });

  it('refuses to run a part alone on embedded PGlite, with a one-line reason', async () => {
    await expect(spawnPart('bridge', { DATABASE_URL: '', BROKER_URL: mqttUrl }, /never/)).rejects.toThrow(/needs DATABASE_URL/);
  });
});
