/** `npm run broker`: the MQTT broker alone; sends pass through to a standalone bridge (`npm run bridge`). */
import { createDeliveryWriter, createReceiptWriter } from '../bridge/index.js';
import { systemClock } from '../lib/clock.js';
import { LISTENER_OFF } from '../lib/config.js';
import { createMetrics } from '../lib/metrics.js';
import { startMetricsServer } from '../lib/metrics-server.js';
import { createTokenService } from '../lib/tokens.js';
import { bootstrap, exitWith, onShutdownSignal } from './bootstrap.js';
import { brokerEndpoints, httpUrl, createPresenceStore, createStoreBackedBroker, reloadTls } from './start-broker.js';

const { config, log, secrets, db } = await bootstrap('broker', { shared: true });
const presence = createPresenceStore(config, { log });
// Read receipts and PUBACKs of room Messages are seen here; the push worker (with the bridge) reads them from the database.
const marks = { flushIntervalMs: config.RECEIPT_FLUSH_MS, maxPending: 1000 };
const receipts = createReceiptWriter({ db, log }, marks);
const deliveries = createDeliveryWriter({ db, log }, marks);
const metrics = createMetrics({ defaultMetrics: true });
const { broker, metricsServer } = await (async () => {
  const broker = await createStoreBackedBroker(config, {
    db,
    presence,
    tokens: createTokenService({ secret: secrets.jwtSecret, ttlSeconds: config.TOKEN_TTL_SECONDS }),
    adminToken: secrets.adminToken,
    clock: systemClock,
    log,
    metrics,
  });
  // No send sink: a device send is an ordinary publish, which the bridge consumes over MQTT.
  await broker.listen({ receipt: receipts.record, delivery: deliveries.record });
  const port = config.BROKER_METRICS_PORT;
  const metricsServer =
    port === LISTENER_OFF
      ? undefined
      : await startMetricsServer(metrics.registry, { port, host: config.HOST, variable: 'BROKER_METRICS_PORT' });
  return { broker, metricsServer };
})().catch((error: unknown) => exitWith(error));
const metricsUrl = metricsServer === undefined ? [] : [`metrics: ${httpUrl(config.HOST, metricsServer.port)}/metrics`];
process.stdout.write(`broker: ${[...Object.values(brokerEndpoints(config.HOST, broker.ports)), ...metricsUrl].join('  ')}\n`);
process.on('SIGHUP', () => void reloadTls(broker, log));

onShutdownSignal(log, async () => {
  await metricsServer?.close();
  await broker.close();
  await receipts.close();
  await deliveries.close();
  await presence.close();
  await db.close();
});
