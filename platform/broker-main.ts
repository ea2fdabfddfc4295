/** `npm run broker`: the MQTT broker alone; sends pass through to a standalone bridge (`npm run bridge`). */
import { createDeliveryWriter, createReceiptWriter } from '../bridge/index.js';
import { systemClock } from '../lib/clock.js';
import { createMetrics } from '../lib/metrics.js';
import { createTokenService } from '../lib/tokens.js';
import { bootstrap, exitWith, onShutdownSignal } from './bootstrap.js';
import { brokerEndpoints, createPresenceStore, createStoreBackedBroker, reloadTls } from './start-broker.js';

const { config, log, secrets, db } = await bootstrap('broker', { shared: true });
const presence = createPresenceStore(config, { log });
// Read receipts and PUBACKs of room Messages are seen here; the push worker (with the bridge) reads them from the database.
const marks = { flushIntervalMs: config.RECEIPT_FLUSH_MS, maxPending: 1000 };
const receipts = createReceiptWriter({ db, log }, marks);
const deliveries = createDeliveryWriter({ db, log }, marks);
const broker = await (async () => {
  const broker = await createStoreBackedBroker(config, {
    db,
    presence,
    tokens: createTokenService({ secret: secrets.jwtSecret, ttlSeconds: config.TOKEN_TTL_SECONDS }),
    adminToken: secrets.adminToken,
    clock: systemClock,
    log,
    metrics: createMetrics({ defaultMetrics: true }),
  });
  // No send sink: a device send is an ordinary publish, which the bridge consumes over MQTT.
  await broker.listen({ receipt: receipts.record, delivery: deliveries.record });
  return broker;
})().catch((error: unknown) => exitWith(error));
process.stdout.write(`broker: ${Object.values(brokerEndpoints(config.HOST, broker.ports)).join('  ')}\n`);
process.on('SIGHUP', () => void reloadTls(broker, log));

onShutdownSignal(log, async () => {
  await broker.close();
  await receipts.close();
  await deliveries.close();
  await presence.close();
  await db.close();
});
