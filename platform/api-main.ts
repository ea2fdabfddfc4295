/** `npm run api`: the REST control plane alone, publishing RoomEvents and REST sends through BROKER_URL. */
import { randomBytes } from 'node:crypto';
import { apiConfig, apiLimits, buildApi, createDeviceLinks, routeUpgrades } from '../api/index.js';
import { connectMqttBrokerPort, createDeliveryWriter, createSendPipeline, sendPipelineOptions } from '../bridge/index.js';
import { systemClock } from '../lib/clock.js';
import { createKeyedTokenBuckets } from '../lib/keyed-token-buckets.js';
import { listenOn } from '../lib/listen.js';
import { createMetrics } from '../lib/metrics.js';
import { SERVICE_USERNAME } from '../lib/service-identity.js';
import { createTokenService } from '../lib/tokens.js';
import { bootstrap, exitWith, onShutdownSignal } from './bootstrap.js';
import { createPresenceStore } from './start-broker.js';
import { WEB_ROOT } from './web-root.js';

const { config, log, secrets, db } = await bootstrap('api', { shared: true });
if (config.BROKER_URL === undefined)
  exitWith(new Error('npm run api needs BROKER_URL, the broker to publish room events and REST sends through'));
const brokerUrl = config.BROKER_URL;
const metrics = createMetrics({ defaultMetrics: true });
const presence = createPresenceStore(config, { log });
const deliveries = createDeliveryWriter({ db, log }, { flushIntervalMs: config.RECEIPT_FLUSH_MS, maxPending: 1000 });

const { api, port, brokerPort } = await (async () => {
  const brokerPort = await connectMqttBrokerPort({
    url: brokerUrl,
    clientId: `chat-api-${randomBytes(4).toString('hex')}`,
    persistentSession: false,
    username: SERVICE_USERNAME,
    password: secrets.adminToken,
    maxInFlight: 1,
    log,
  });
  // REST sends are sequenced here, through the same pipeline as the bridge's; room row locks keep seqs gapless across processes.
  const sends = createSendPipeline({ db, publisher: brokerPort, log, metrics }, sendPipelineOptions(config));
  const app = await buildApi({
    db,
    tokens: createTokenService({ secret: secrets.jwtSecret, ttlSeconds: config.TOKEN_TTL_SECONDS }),
    adminToken: secrets.adminToken,
    publisher: brokerPort,
    presence,
    // Tokens are stored for the push worker of an all-in-one node on the same database.
    pushPlatforms: ['apns', 'fcm'],
    recordDelivered: deliveries.record,
    submitSend: sends.handleSend,
    keys: {
      lowThreshold: config.PREKEY_LOW_THRESHOLD,
      // Per process: with several API nodes a caller gets this budget on each.
      fetchLimiter: createKeyedTokenBuckets(systemClock, {
        ratePerSecond: config.PREKEY_FETCH_RATE_PER_SECOND,
        burst: config.PREKEY_FETCH_BURST,
      }),
    },
    log,
    metrics,
    ...apiConfig(config),
    // Presence is all this process keeps in Redis: without it GET /v1/presence answers 503, the rest works.
    health: config.REDIS_URL === undefined ? {} : { redis: { check: () => presence.isHealthy(), critical: false } },
    healthCheckTimeoutMs: config.HEALTH_CHECK_TIMEOUT_MS,
    limits: apiLimits(config),
    // Event streams connect to the same broker as each device would.
    deviceLinks: createDeviceLinks({ url: brokerUrl }, { connectTimeoutMs: 10_000, heartbeatMs: config.SSE_HEARTBEAT_MS }),
    webRoot: WEB_ROOT,
  });
  // No broker in this process: MQTT over WebSocket is the broker's (WS_PORT); every upgrade here is refused.
  routeUpgrades(app.server, undefined);
  await app.ready();
  return { api: app, port: await listenOn(app.server, config.API_PORT, config.HOST, 'API_PORT'), brokerPort };
})().catch((error: unknown) => exitWith(error));
process.stdout.write(`api: http://${config.HOST}:${port}  (docs at /docs)\n`);

onShutdownSignal(log, async () => {
  await api.close();
  await deliveries.close();
  await brokerPort.close();
  await presence.close();
  await db.close();
});
