/**
 * Starts the whole platform in-process on port 0 for a test file, on the backends asked for,
 * plus the admin-side helpers a test needs (users, tokens, rooms).
 */
import { createMetrics } from '../../lib/metrics.js';
import { loadConfig } from '../../lib/config.js';
import { createRootLogger, silentLogger } from '../../lib/log.js';
import { startPlatform, type Platform, type PlatformDeps } from '../../platform/platform.js';
import { openDb } from '../../store/index.js';
import { createTestDatabase, REDIS_URL } from './backends.js';
import { flushRedisDb } from './redis.js';

export interface BackendChoice {
  database: 'pglite' | 'postgres';
  brokerState: 'memory' | 'redis';
  /** Redis logical database for this file (files run in parallel). */
  redisDb?: number;
}

// `json: any`: response bodies are asserted on with toMatchObject, which checks their shape at run time.
export interface TestPlatform extends Omit<Platform, 'endpoints'> {
  /** As the platform's, with `mqtt` and `ws` always there: reading one whose listener is off (MQTT_PORT=off) throws. */
  endpoints: Platform['endpoints'] & { mqtt: string; ws: string };
  admin(method: string, url: string, body?: unknown): Promise<{ status: number; json: any }>;
  as(
    token: string,
    method: string,
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; json: any; headers: Record<string, unknown> }>;
  createUser(name: string): Promise<string>;
  tokenFor(userId: string, deviceId: string): Promise<string>;
  createRoom(memberIds: string[], kind?: 'group' | 'direct'): Promise<{ id: string; memberVersion: number }>;
  stop(): Promise<void>;
}

/** The platform's token key in tests, for tokens the API would not issue (already or soon expired). */
export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret-0123';

export async function startTestPlatform(
  choice: BackendChoice,
  env: Record<string, string> = {},
  extra: Partial<Pick<PlatformDeps, 'pushProviders' | 'log' | 'clock'>> = {},
): Promise<TestPlatform> {
  const database = choice.database === 'postgres' ? await createTestDatabase() : undefined;
  const redisUrl = choice.brokerState === 'redis' ? `${REDIS_URL}/${choice.redisDb ?? 1}` : undefined;
  if (redisUrl !== undefined) await flushRedisDb(redisUrl);
  const config = loadConfig({
    MQTT_PORT: '0',
    WS_PORT: '0',
    API_PORT: '0',
    ...(database === undefined ? {} : { DATABASE_URL: database.url }),
    ...(redisUrl === undefined ? {} : { REDIS_URL: redisUrl }),
    ...env,
  });
  const { db } = await openDb({ databaseUrl: config.DATABASE_URL });
  const platform = await startPlatform(config, {
    db,
    secrets: { jwtSecret: TEST_JWT_SECRET, adminToken: 'admin-token-for-tests' },
    log: process.env['TEST_LOG_LEVEL'] ? createRootLogger(process.env['TEST_LOG_LEVEL'], 'test-platform') : silentLogger(),
    metrics: createMetrics(),
    ...extra,
  });

  // Fastify's in-process injection: no socket, same routing, validation and error handling.
  async function as(token: string, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await platform.api.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${token}`, ...headers },
      ...(body === undefined ? {} : { payload: body as object }),
    });
    const text = response.body;
    return {
      status: response.statusCode,
      json: text.length > 0 && response.headers['content-type']?.toString().includes('json') ? JSON.parse(text) : text,
      headers: response.headers,
    };
  }
  const admin = (method: string, url: string, body?: unknown) => as(platform.adminToken, method, url, body);

  const listening = (kind: 'mqtt' | 'ws') => {
    const url = platform.endpoints[kind];
    if (url === undefined) throw new Error(`the ${kind} listener of this test platform is off`);
    return url;
  };
  return {
    ...platform,
    endpoints: {
      ...platform.endpoints,
      get mqtt() {
        return listening('mqtt');
      },
      get ws() {
        return listening('ws');
      },
    },
    as,
    admin,
    async createUser(name) {
      const r = await admin('POST', '/v1/users', { name });
      if (r.status !== 201) throw new Error(`createUser: ${r.status} ${JSON.stringify(r.json)}`);
      return r.json.id;
    },
    async tokenFor(userId, deviceId) {
      const r = await admin('POST', '/v1/tokens', { userId, deviceId });
      if (r.status !== 201) throw new Error(`tokenFor: ${r.status} ${JSON.stringify(r.json)}`);
      return r.json.token;
    },
    async createRoom(memberIds, kind = 'group') {
      const r = await admin('POST', '/v1/rooms', { name: 'test room', kind, members: memberIds });
      if (r.status !== 201) throw new Error(`createRoom: ${r.status} ${JSON.stringify(r.json)}`);
      return r.json;
    },
    async stop() {
      await platform.close();
      await db.close();
      await database?.drop();
    },
  };
}
