/**
 * `npm run api` configured for an external broker (BROKER_HOOK_TOKEN), as a real process on a
 * real Mosquitto and PostgreSQL: it answers EMQX's authentication call for a device, and turns a
 * connect event into presence retained on the broker, where a member who subscribes later finds it.
 */
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import { Aedes, type AuthenticateError } from 'aedes';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenService } from '../../lib/tokens.js';
import { decodePresence, deviceClientId, presenceTopic } from '../../schema/index.js';
import { createUser, openDb, type Db } from '../../store/index.js';
import { backendAvailable, createTestDatabase } from '../support/backends.js';
import { EMQX_AUTHN_BODY, emqxCall } from '../support/external-broker-api.js';
import { freePort } from '../support/free-port.js';
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

/**
 * A broker that authenticates every CONNECT by asking the API, as EMQX's HTTP authenticator does
 * (an Aedes here, since EMQX cannot run in this test): the API's own MQTT client must then connect
 * only once the API listens, or neither could start.
 */
async function startBrokerAskingApi(apiUrl: () => string): Promise<{ url: string; connects: string[]; close(): Promise<void> }> {
  const broker = await Aedes.createBroker();
  const connects: string[] = [];
  broker.authenticate = (client, username, password, done) => {
    const refusal: AuthenticateError = Object.assign(new Error('denied'), { returnCode: 5 });
    const refuse = (): void => done(refusal, false);
    emqxCall(
      `${apiUrl()}/v1/broker/authn`,
      EMQX_AUTHN_BODY,
      { clientid: client.id, username: username ?? '', password: password?.toString() ?? '' },
      {
        authorization: `Bearer ${HOOK_TOKEN}`,
      },
    ).then(
      ({ status, body }) => {
        connects.push(`${username}: ${status} ${JSON.stringify(body)}`);
        if (status === 200 && (body as { result?: string }).result === 'allow') done(null, true);
        else refuse();
      },
      (error: Error) => {
        connects.push(`${username}: ${error.message}`);
        refuse();
      },
    );
  };
  const server: Server = createServer((socket) => broker.handle(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `mqtt://127.0.0.1:${port}`,
    connects,
    close: () =>
      Promise.all([
        new Promise<void>((resolve) => server.close(() => resolve())),
        new Promise<void>((resolve) => broker.close(() => resolve())),
      ]).then(() => undefined),
  };
}

describe.skipIf(!available)('npm run api on a broker that authenticates through it', () => {
  it('listens before it connects, so the broker can authenticate its own client', async () => {
    const database = await createTestDatabase();
    const dataDir = await mkdtemp(join(tmpdir(), 'external-api-auth-'));
    const apiPort = await freePort();
    const broker = await startBrokerAskingApi(() => `http://127.0.0.1:${apiPort}`);
    let api: PartProcess | undefined;
    try {
      api = await spawnPart(
        'api',
        {
          DATABASE_URL: database.url,
          BROKER_URL: broker.url,
          BROKER_HOOK_TOKEN: HOOK_TOKEN,
          DATA_DIR: dataDir,
          JWT_SECRET,
          ADMIN_TOKEN: 'external-process-admin-token',
          API_PORT: String(apiPort),
        },
        /api: http:\/\/\S+/,
      );
      expect(broker.connects).toEqual(['$platform: 200 {"result":"allow","is_superuser":true}']);
    } finally {
      await api?.stop();
      await broker.close();
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
