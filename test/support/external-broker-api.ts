/**
 * The API as `npm run api` builds it for an external broker (BROKER_HOOK_TOKEN set), listening on
 * a free port over PGlite, with a recording publisher in place of the broker link, and `emqxCall`:
 * a request made the way EMQX makes it from its configured JSON body template.
 */
import type { FastifyInstance } from 'fastify';
import { apiConfig, apiLimits, buildApi, createDeviceLinks, type BrokerAdmin } from '../../api/index.js';
import { systemClock } from '../../lib/clock.js';
import { loadConfig } from '../../lib/config.js';
import { createKeyedTokenBuckets } from '../../lib/keyed-token-buckets.js';
import { listenOn } from '../../lib/listen.js';
import { silentLogger } from '../../lib/log.js';
import { createMetrics } from '../../lib/metrics.js';
import type { Publisher } from '../../lib/publisher.js';
import { createTokenService, type TokenService } from '../../lib/tokens.js';
import { createMemoryPresenceStore, openDb, type Db } from '../../store/index.js';

export const JWT_SECRET = 'external-broker-secret-0123456789abcdef';
export const HOOK_TOKEN = 'hook-token-for-the-broker-0123';
export const ADMIN_TOKEN = 'admin-token-external-broker';

export interface Published {
  topic: string;
  payload: Uint8Array;
  options: { qos: 0 | 1; retain?: boolean };
}

export interface ExternalBrokerApi {
  app: FastifyInstance;
  url: string;
  db: Db;
  tokens: TokenService;
  published: Published[];
  close(): Promise<void>;
}

export async function startExternalBrokerApi(options: { admin?: BrokerAdmin; presenceTtlMs?: number } = {}): Promise<ExternalBrokerApi> {
  const config = loadConfig({ JWT_SECRET, ADMIN_TOKEN });
  const { db } = await openDb({});
  const tokens = createTokenService({ secret: config.JWT_SECRET!, ttlSeconds: config.TOKEN_TTL_SECONDS });
  const published: Published[] = [];
  const publisher: Publisher = {
    async publish(topic, payload, publishOptions) {
      published.push({ topic, payload, options: publishOptions });
    },
  };
  const presence = createMemoryPresenceStore(Date.now);
  const app = await buildApi({
    db,
    tokens,
    adminToken: ADMIN_TOKEN,
    publisher,
    presence,
    pushPlatforms: [],
    recordDelivered: () => undefined,
    submitSend: () => Promise.reject(new Error('no sends in this test')),
    keys: { lowThreshold: 0, fetchLimiter: createKeyedTokenBuckets(systemClock, { ratePerSecond: 1, burst: 1 }) },
    log: silentLogger(),
    metrics: createMetrics(),
    ...apiConfig(config),
    limits: apiLimits(config),
    deviceLinks: createDeviceLinks({ url: 'mqtt://127.0.0.1:1' }, { connectTimeoutMs: 1000, heartbeatMs: 15_000 }),
    externalBroker: {
      hookToken: HOOK_TOKEN,
      presence,
      presenceTtlMs: options.presenceTtlMs ?? 60_000,
      ...(options.admin === undefined ? {} : { admin: options.admin }),
    },
  });
  await app.ready();
  const port = await listenOn(app.server, 0, '127.0.0.1', 'API_PORT');
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    db,
    tokens,
    published,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

/**
 * The request EMQX's HTTP authenticator/authorizer/HTTP action sends: POST, `Content-Type:
 * application/json`, the configured headers, and the configured body template with each
 * `${placeholder}` replaced by the client's value (JSON-escaped inside its string).
 */
export async function emqxCall(
  url: string,
  template: Record<string, string>,
  values: Record<string, string>,
  headers: Record<string, string> = { authorization: `Bearer ${HOOK_TOKEN}` },
): Promise<{ status: number; body: unknown }> {
  const rendered = JSON.stringify(template).replace(/\$\{([a-z_.]+)\}/g, (_, name: string) =>
    JSON.stringify(values[name] ?? '').slice(1, -1),
  );
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: rendered });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

/** The body templates docker-compose.cluster.yml configures EMQX with. */
export const EMQX_AUTHN_BODY = { clientid: '${clientid}', username: '${username}', password: '${password}' };
export const EMQX_AUTHZ_BODY = { clientid: '${clientid}', username: '${username}', topic: '${topic}', action: '${action}' };
