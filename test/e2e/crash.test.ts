/**
 * docs/durable-path.md#what-a-puback-means and docs/guarantees.md#acknowledged-means-committed:
 * with the in-process broker, a PUBACK means the send is committed. The platform process is killed
 * (SIGKILL, no shutdown) right after PUBACKs arrive; after a restart on the same data, every
 * PUBACKed send is in the history.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { deviceClientId, encodeSend, inboxTopic, sendTopic } from '../../schema/index.js';
import { backendAvailable, createTestDatabase } from '../support/backends.js';
import { spawnPlatform, type PlatformProcess } from '../support/platform-process.js';
import { rest } from '../support/rest-client.js';

const ADMIN_TOKEN = 'crash-test-admin-token';
// One device floods SENDS sends: its send budget is raised, or the excess would be PUBACKed with a Nack RATE_LIMITED (answered, not stored).
const SECRETS = { ADMIN_TOKEN, JWT_SECRET: 'crash-test-jwt-secret-0123456789abcdef', SEND_BURST: '1000' };
const SENDS = 150;
const KILL_AFTER_PUBACKS = 40;

async function killAfterPubacks(platform: PlatformProcess, userId: string, token: string, roomId: string): Promise<string[]> {
  const client = await mqtt.connectAsync(platform.mqttUrl, {
    clientId: deviceClientId(userId, 'phone'),
    username: userId,
    password: token,
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  await client.subscribeAsync(inboxTopic(userId), { qos: 1 });
  client.on('error', () => undefined); // the connection dies with the process
  const acknowledged: string[] = [];
  const killed = new Promise<void>((resolve) => {
    for (let i = 0; i < SENDS; i += 1) {
      const clientMsgId = `crash-${i}`;
      const payload = Buffer.from(encodeSend({ roomId, clientMsgId, roomVersion: 1, body: Buffer.from(`message ${i}`), contentType: '' }));
      client.publish(sendTopic(userId), payload, { qos: 1 }, (error) => {
        if (error !== undefined && error !== null) return;
        acknowledged.push(clientMsgId);
        if (acknowledged.length === KILL_AFTER_PUBACKS) void platform.stop('SIGKILL').then(resolve);
      });
    }
  });
  await killed;
  const snapshot = [...acknowledged];
  client.end(true);
  return snapshot;
}

function describeCrash(name: string, environment: () => Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }>) {
  describe(`a PUBACK survives SIGKILL: ${name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    });

    it('finds every PUBACKed send in the history after a restart', { timeout: 120_000 }, async () => {
      const { env, cleanup } = await environment();
      cleanups.push(cleanup);
      const first = await spawnPlatform({ ...SECRETS, ...env });
      cleanups.push(() => first.stop('SIGKILL'));
      const userId = (await rest(first.apiUrl, ADMIN_TOKEN, 'POST', '/v1/users', { name: 'crash' })).json.id as string;
      const token = (await rest(first.apiUrl, ADMIN_TOKEN, 'POST', '/v1/tokens', { userId, deviceId: 'phone' })).json.token as string;
      const roomId = (await rest(first.apiUrl, ADMIN_TOKEN, 'POST', '/v1/rooms', { name: 'r', kind: 'group', members: [userId] })).json
        .id as string;

      const acknowledged = await killAfterPubacks(first, userId, token, roomId);
      expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER_PUBACKS);

      const second = await spawnPlatform({ ...SECRETS, ...env });
      cleanups.push(() => second.stop('SIGTERM'));
      const history = await rest(second.apiUrl, token, 'GET', `/v1/rooms/${roomId}/messages?after=0&limit=500`);
      const stored = (history.json.messages as { clientMsgId: string; seq: number }[]).map((m) => m.clientMsgId);
      expect(stored).toEqual(expect.arrayContaining(acknowledged));
      // Whatever was stored is gapless from 1, acknowledged or not.
      expect(history.json.messages.map((m: { seq: number }) => m.seq)).toEqual(stored.map((_, i) => i + 1));
    });
  });
}

describeCrash('embedded PGlite', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'chat-crash-'));
  return { env: { DATA_DIR: dataDir }, cleanup: () => rm(dataDir, { recursive: true, force: true }) };
});

const postgres = await backendAvailable('postgres');
describe.skipIf(!postgres)('on PostgreSQL', () => {
  describeCrash('PostgreSQL', async () => {
    const database = await createTestDatabase();
    const dataDir = await mkdtemp(join(tmpdir(), 'chat-crash-'));
    return {
      env: { DATA_DIR: dataDir, DATABASE_URL: database.url },
      cleanup: async () => {
        await database.drop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  });
});
