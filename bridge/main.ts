/**
 * `npm run bridge`: the bridge alone, consuming sends from the broker at BROKER_URL, with the
 * push worker beside it (the bridge commits the messages, so it wakes the worker at once).
 */
import { createMetrics } from '../lib/metrics.js';
import { SERVICE_USERNAME } from '../lib/service-identity.js';
import { bootstrap, exitWith, onShutdownSignal } from '../platform/bootstrap.js';
import { pushWorkerOptions, startPushProviders } from '../platform/push-providers.js';
import { createPresenceStore } from '../platform/start-broker.js';
import { startPushWorker } from '../push/index.js';
import { startBridge } from './bridge.js';
import { sendPipelineOptions } from './send-pipeline.js';
import { connectMqttBrokerPort } from './mqtt-port.js';

const { config, log, secrets, db } = await bootstrap('bridge', { shared: true });
if (config.BROKER_URL === undefined)
  exitWith(new Error('npm run bridge needs BROKER_URL, the broker to consume sends from (e.g. mqtt://127.0.0.1:1883)'));
const brokerUrl = config.BROKER_URL;
const metrics = createMetrics({ defaultMetrics: true });
// Presence is the broker's: shared through Redis (REDIS_URL). Without it this process sees nobody online, and members are pushed at once.
const presence = createPresenceStore(config);

const { bridge, push, worker } = await (async () => {
  const push = await startPushProviders(config, { log });
  // Delivery and read marks reach the database from the broker process within RECEIPT_FLUSH_MS: none are held here.
  const worker = startPushWorker(
    { db, presence, providers: push.providers, unwrittenSeenSeq: () => 0, log, metrics },
    pushWorkerOptions(config),
  );
  const port = await connectMqttBrokerPort({
    url: brokerUrl,
    clientId: 'chat-bridge',
    persistentSession: true,
    username: SERVICE_USERNAME,
    password: secrets.adminToken,
    maxInFlight: config.BATCH_MAX_MESSAGES * 4,
    log,
  });
  const bridge = await startBridge({ db, port, log, metrics, onPushQueued: () => worker.wake() }, sendPipelineOptions(config));
  return { bridge, push, worker };
})().catch((error: unknown) => exitWith(error));
process.stdout.write(`bridge: consuming sends from ${brokerUrl}; push: ${push.describe().join('; ')}\n`);

onShutdownSignal(log, async () => {
  await bridge.close();
  await worker.close();
  await push.close();
  await presence.close();
  await db.close();
});
