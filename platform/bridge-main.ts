/**
 * `npm run bridge`: the bridge alone, consuming sends from the broker at BROKER_URL, with the
 * push worker beside it (the bridge commits the messages, so it wakes the worker at once).
 */
import { connectMqttBrokerPort, createSendPipeline, sendPipelineOptions } from '../bridge/index.js';
import { createMetrics } from '../lib/metrics.js';
import { SERVICE_USERNAME } from '../lib/service-identity.js';
import { startPushWorker } from '../push/index.js';
import { bootstrap, exitWith, onShutdownSignal } from './bootstrap.js';
import { pushWorkerOptions, startPushProviders } from './push-providers.js';
import { createPresenceStore } from './start-broker.js';

const { config, log, secrets, db } = await bootstrap('bridge', { shared: true });
if (config.BROKER_URL === undefined)
  exitWith(new Error('npm run bridge needs BROKER_URL, the broker to consume sends from (e.g. mqtt://127.0.0.1:1883)'));
const brokerUrl = config.BROKER_URL;
const metrics = createMetrics({ defaultMetrics: true });
// Presence is the broker's: shared through Redis (REDIS_URL). Without it this process sees nobody online, and members are pushed at once.
const presence = createPresenceStore(config);

const { port, sends, push, worker } = await (async () => {
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
  const sends = createSendPipeline({ db, publisher: port, log, metrics, onPushQueued: () => worker.wake() }, sendPipelineOptions(config));
  await port.consumeSends(sends.handlePayload);
  log.info({ batchMaxMessages: config.BATCH_MAX_MESSAGES, batchMaxWaitMs: config.BATCH_MAX_WAIT_MS }, 'bridge consuming sends');
  return { port, sends, push, worker };
})().catch((error: unknown) => exitWith(error));
process.stdout.write(`bridge: consuming sends from ${brokerUrl}; push: ${push.describe().join('; ')}\n`);

onShutdownSignal(log, async () => {
  // Finish the sends in progress, then detach from the broker.
  await sends.drain();
  await port.close();
  await worker.close();
  await push.close();
  await presence.close();
  await db.close();
});
