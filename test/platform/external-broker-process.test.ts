/**
 * `npm run api` configured for an external broker (BROKER_HOOK_TOKEN), as a real process on a
 * real Mosquitto and PostgreSQL: it answers EMQX's authentication call for a device, and turns a
 * connect event into presence retained on the broker, where a member who subscribes later finds it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenService } from '../../lib/tokens.js';
import { decodePresence, deviceClientId, presenceTopic } from '../../schema/index.js';
import { createUser, openDb, type Db } from '../../store/index.js';
import { backendAvailable, createTestDatabase } from '../support/backends.js';
import { EMQX_AUTHN_BODY, emqxCall } from '../support/external-broker-api.js';
import { startMosquitto, type RunningMosquitto } from '../support/mosquitto.js';
import { spawnPart, type PartProcess } from '../support/platform-process.js';

const available = (await backendAvailable('mosquitto')) && (await backendAvailable('postgres'));
const JWT_SECRET = 'external-broker-process-secret-0123456789';
const HOOK_TOKEN = 'hook-token-external-process';

describe.skipIf(!available)('npm run api on an external broker (Mosquitto)', () => {
  let mosquitto: RunningMosquitto;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Db;
  let dataDir: string;
  let api: PartProcess;
  let apiUrl: string;

  beforeAll(async () => {
    mosquitto = await startMosquitto();
    database = await createTestDatabase();
    ({ db } = await openDb({ databaseUrl: database.url }));
    dataDir = await mkdtemp(join(tmpdir(), 'external-api-'));
    api = await spawnPart(
      'api',
      {
        DATABASE_URL: database.url,
        BROKER_URL: mosquitto.url,
        BROKER_HOOK_TOKEN: HOOK_TOKEN,
        DATA_DIR: dataDir,
        JWT_SECRET,
        ADMIN_TOKEN: 'external-process-admin-token',
      },
      /api: (?<apiUrl>http:\/\/\S+)/,
    );
    apiUrl = api.found['apiUrl']!;
  }, 120_000);

  afterAll(async () => {
    await api?.stop();
    await db?.close();
    await database?.drop();
    await mosquitto?.stop();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it('answers EMQX authentication for a device with its token', async () => {
    const userId = (await createUser(db, { name: 'gina' })).id;
    const { token } = createTokenService({ secret: JWT_SECRET, ttlSeconds: 3600 }).issue(userId, 'phone');
    const answer = await emqxCall(
      `${apiUrl}/v1/broker/authn`,
      EMQX_AUTHN_BODY,
      { clientid: deviceClientId(userId, 'phone'), username: userId, password: token },
      {
        authorization: `Bearer ${HOOK_TOKEN}`,
      },
    );
    expect(answer).toMatchObject({ status: 200, body: { result: 'allow', is_superuser: false } });
  });

  it('publishes presence from a connect event, retained on the external broker', async () => {
    const userId = (await createUser(db, { name: 'hank' })).id;
    const response = await fetch(`${apiUrl}/v1/broker/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${HOOK_TOKEN}` },
      body: JSON.stringify({ event: 'client.connected', clientid: deviceClientId(userId, 'phone'), username: userId }),
    });
    expect(response.status).toBe(204);
    // Subscribed only now: what arrives is the retained message.
    const watcher = await mqtt.connectAsync(mosquitto.url, { protocolVersion: 4, reconnectPeriod: 0 });
    const received = new Promise<{ payload: Buffer; retain: boolean }>((resolve) =>
      watcher.on('message', (_topic, payload, packet) => resolve({ payload, retain: packet.retain })),
    );
    await watcher.subscribeAsync(presenceTopic(userId), { qos: 0 });
    const { payload, retain } = await received;
    await watcher.endAsync();
    expect(retain).toBe(true);
    expect(decodePresence(payload)).toMatchObject({ online: true });
  });
});
