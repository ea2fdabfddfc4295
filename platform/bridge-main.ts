/**
 * `npm run bridge`: the bridge alone, consuming sends from the broker at BROKER_URL, with the
 * push worker beside it (the bridge commits the messages, so it wakes the worker at once).
 *
 * With BROKER_SHARED_GROUP it is one of any number of bridges on an external broker (EMQX,
 * Mosquitto): each takes a share of the sends through a shared subscription, on a clean session
 * under its own client id. A persistent session would make the broker keep queueing a share of
 * the sends for a bridge that is gone; with a clean one a dead bridge leaves the group, and the
 * sends it had taken but not answered are resent by their devices (no inbox Ack came) to the
 * bridges that remain.
 */
import { randomBytes } from 'node:crypto';
import { connectMqttBrokerPort, createSendPipeline, sendPipelineOptions, sharedSendFilter } from '../bridge/index.js';
import { systemClock } from '../lib/clock.js';
import { LISTENER_OFF } from '../lib/config.js';
import { createMetrics } from '../lib/metrics.js';
import { startMetricsServer } from '../lib/metrics-server.js';
import { SERVICE_USERNAME } from '../lib/service-identity.js';
import { startPushWorker } from '../push/index.js';
import { countPushBacklog } from '../store/index.js';
import { bootstrap, exitWith, onShutdownSignal } from './bootstrap.js';
import { pushWorkerOptions, startPushProviders } from './push-providers.js';
import { createPresenceStore, httpUrl } from './start-broker.js';

const { config, log, secrets, db } = await bootstrap('bridge', { shared: true });
if (config.BROKER_URL === undefined)
  exitWith(new Error('npm run bridge needs BROKER_URL, the broker to consume sends from (e.g. mqtt://127.0.0.1:1883)'));
const brokerUrl = config.BROKER_URL;
const metrics = createMetrics({ defaultMetrics: true, pushBacklog: () => countPushBacklog(db, systemClock.now()) });
// Presence is the broker's: shared through Redis (REDIS_URL). Without it this process sees nobody online, and members are pushed at once.
const presence = createPresenceStore(config);

const { port, sends, push, worker, metricsServer } = await (async () => {
  const push = await startPushProviders(config, { log });
  // Delivery and read marks reach the database from the broker process within RECEIPT_FLUSH_MS: none are held here.
  const worker = startPushWorker(
    { db, presence, providers: push.providers, unwrittenSeenSeq: () => 0, log, metrics },
    pushWorkerOptions(config),
  );
  const group = config.BROKER_SHARED_GROUP;
  const port = await connectMqttBrokerPort({
    url: brokerUrl,
    clientId: group === undefined ? 'chat-bridge' : `chat-bridge-${group}-${randomBytes(4).toString('hex')}`,
    persistentSession: group === undefined,
    ...(group === undefined ? {} : { sendFilter: sharedSendFilter(group) }),
    username: config.BROKER_USERNAME ?? SERVICE_USERNAME,
    password: config.BROKER_PASSWORD ?? secrets.adminToken,
    maxInFlight: config.BATCH_MAX_MESSAGES * 4,
    log,
  });
  const sends = createSendPipeline({ db, publisher: port, log, metrics, onPushQueued: () => worker.wake() }, sendPipelineOptions(config));
  await port.consumeSends(sends.handlePayload);
  log.info(
    { batchMaxMessages: config.BATCH_MAX_MESSAGES, batchMaxWaitMs: config.BATCH_MAX_WAIT_MS, sharedGroup: group },
    'bridge consuming sends',
  );
  const metricsPort = config.BRIDGE_METRICS_PORT;
  const metricsServer =
    metricsPort === LISTENER_OFF
      ? undefined
      : await startMetricsServer(metrics.registry, { port: metricsPort, host: config.HOST, variable: 'BRIDGE_METRICS_PORT' });
  return { port, sends, push, worker, metricsServer };
})().catch((error: unknown) => exitWith(error));
const sharing = config.BROKER_SHARED_GROUP === undefined ? '' : ` (shared group ${config.BROKER_SHARED_GROUP})`;
const metricsUrl = metricsServer === undefined ? 'off' : `${httpUrl(config.HOST, metricsServer.port)}/metrics`;
process.stdout.write(`bridge: consuming sends from ${brokerUrl}${sharing}; metrics: ${metricsUrl}; push: ${push.describe().join('; ')}
`);

onShutdownSignal(log, async () => {
  // Finish the sends in progress, then detach from the broker.
  await metricsServer?.close();
  await sends.drain();
  await port.close();
  await worker.close();
  await push.close();
  await presence.close();
  await db.close();
});
