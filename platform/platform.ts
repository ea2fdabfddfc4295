/**
 * The composition root of the all-in-one platform: one database, the broker, the send pipeline
 * the broker hands device sends to, the mark writers, the push worker and the API, wired
 * together. `main.ts` runs it; tests start it on port 0 with an in-memory or test database.
 */
import type { FastifyInstance } from 'fastify';
import { apiConfig, apiLimits, buildApi, createDeviceLinks, routeUpgrades } from '../api/index.js';
import {
  createDeliveryWriter,
  createReceiptWriter,
  createSendPipeline,
  sendPipelineOptions,
  type DeliveryWriter,
  type ReceiptWriter,
  type SendPipeline,
} from '../bridge/index.js';
import type { PlatformBroker } from '../broker/index.js';
import { systemClock, type Clock } from '../lib/clock.js';
import type { Config } from '../lib/config.js';
import { createKeyedTokenBuckets } from '../lib/keyed-token-buckets.js';
import { listenOn } from '../lib/listen.js';
import type { Logger } from '../lib/log.js';
import { createMetrics, type Metrics } from '../lib/metrics.js';
import { createTokenService, type TokenService } from '../lib/tokens.js';
import { startPushWorker, type PushPlatform, type PushProvider, type PushWorker } from '../push/index.js';
import type { Db } from '../store/index.js';
import { pushWorkerOptions } from './push-providers.js';
import { brokerEndpoints, createPresenceStore, createStoreBackedBroker, type BrokerEndpoints } from './start-broker.js';
import { WEB_ROOT } from './web-root.js';

/** An in-process link that is not accepted within this is refused (the broker is overloaded or closing). */
const DEVICE_LINK_CONNECT_TIMEOUT_MS = 10_000;

export interface Platform {
  readonly config: Config;
  readonly db: Db;
  readonly broker: PlatformBroker;
  /** Device sends (from the broker) and REST sends take this one path into the database. */
  readonly sends: SendPipeline;
  readonly receipts: ReceiptWriter;
  readonly deliveries: DeliveryWriter;
  readonly push: PushWorker;
  readonly api: FastifyInstance;
  readonly tokens: TokenService;
  readonly adminToken: string;
  readonly metrics: Metrics;
  /** Every listener that is on (MQTT_PORT=off leaves `mqtt` out, and so on), and the API. */
  readonly endpoints: BrokerEndpoints & { api: string };
  close(): Promise<void>;
}

export interface PlatformDeps {
  db: Db;
  secrets: { jwtSecret: string; adminToken: string };
  log: Logger;
  metrics?: Metrics;
  /** The push providers (their owner closes them); without any, devices cannot register for push. */
  pushProviders?: ReadonlyMap<PushPlatform, PushProvider>;
  /** Token lifetimes and expiry, presence, rate limits, timestamps (default: the system clock). */
  clock?: Clock;
}

export async function startPlatform(config: Config, deps: PlatformDeps): Promise<Platform> {
  const { db, log } = deps;
  const clock = deps.clock ?? systemClock;
  const metrics = deps.metrics ?? createMetrics();
  const tokens = createTokenService({ secret: deps.secrets.jwtSecret, ttlSeconds: config.TOKEN_TTL_SECONDS, now: clock.now });
  const presence = createPresenceStore(config, { log, clock });
  const adminToken = deps.secrets.adminToken;
  const broker = await createStoreBackedBroker(config, { db, presence, tokens, adminToken, clock, log, metrics }).catch(
    async (error: unknown) => {
      await presence.close();
      throw error;
    },
  );
  const closers: (() => Promise<void>)[] = [() => broker.close(), () => presence.close()];
  try {
    const pushProviders = deps.pushProviders ?? new Map<PushPlatform, PushProvider>();
    const marks = { flushIntervalMs: config.RECEIPT_FLUSH_MS, maxPending: 1000 };
    // Closed after the worker (closers run newest first), so marks flushed at shutdown still reach the database.
    const receipts = createReceiptWriter({ db, log, onWritten: () => push.wake() }, marks);
    closers.unshift(() => receipts.close());
    const deliveries = createDeliveryWriter({ db, log }, marks);
    closers.unshift(() => deliveries.close());
    const push = startPushWorker(
      {
        db,
        presence,
        providers: pushProviders,
        unwrittenSeenSeq: (roomId, userId) => Math.max(receipts.peek(roomId, userId), deliveries.peek(roomId, userId)),
        log,
        metrics,
        now: clock.now,
      },
      pushWorkerOptions(config),
    );
    closers.unshift(() => push.close());
    const sends = createSendPipeline(
      { db, publisher: broker, log, metrics, now: clock.now, onPushQueued: () => push.wake() },
      sendPipelineOptions(config),
    );
    closers.unshift(() => sends.drain());
    // The one place the broker's sinks are attached: a send's way in, from the socket to the pipeline.
    await broker.listen({ send: sends.handlePayload, receipt: receipts.record, delivery: deliveries.record });
    const api = await buildApi({
      db,
      tokens,
      adminToken,
      publisher: broker,
      presence,
      pushPlatforms: [...pushProviders.keys()],
      recordDelivered: deliveries.record,
      submitSend: sends.handleSend,
      keys: {
        lowThreshold: config.PREKEY_LOW_THRESHOLD,
        fetchLimiter: createKeyedTokenBuckets(clock, {
          ratePerSecond: config.PREKEY_FETCH_RATE_PER_SECOND,
          burst: config.PREKEY_FETCH_BURST,
        }),
      },
      log,
      metrics,
      now: clock.now,
      ...apiConfig(config),
      health: {
        broker: { check: () => !broker.aedes.closed, critical: true },
        // Shared state across nodes: while it is down this node still serves its own clients.
        ...(config.REDIS_URL === undefined
          ? {}
          : { redis: { check: () => broker.isStateHealthy() && presence.isHealthy(), critical: false } }),
      },
      healthCheckTimeoutMs: config.HEALTH_CHECK_TIMEOUT_MS,
      limits: apiLimits(config),
      deviceLinks: createDeviceLinks(
        { connect: () => broker.connectInProcess() },
        { connectTimeoutMs: DEVICE_LINK_CONNECT_TIMEOUT_MS, heartbeatMs: config.SSE_HEARTBEAT_MS },
      ),
      webRoot: WEB_ROOT,
    });
    closers.unshift(() => api.close());
    // MQTT over WebSocket on the API's port too (/mqtt), so a page, REST and MQTT share one origin.
    routeUpgrades(api.server, (req, socket, head) => broker.handleWebSocketUpgrade(req, socket, head));
    await api.ready();
    const apiPort = await listenOn(api.server, config.API_PORT, config.HOST, 'API_PORT');
    const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
    return {
      config,
      db,
      broker,
      sends,
      receipts,
      deliveries,
      push,
      api,
      tokens,
      adminToken,
      metrics,
      endpoints: { ...brokerEndpoints(config.HOST, broker.ports), api: `http://${host}:${apiPort}` },
      async close() {
        for (const close of closers) await close();
      },
    };
  } catch (error) {
    for (const close of closers) await close().catch(() => undefined);
    throw error;
  }
}
