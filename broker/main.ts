/** `npm run broker`: the MQTT broker alone; sends pass through to a standalone bridge (`npm run bridge`). */
import { createDeliveryWriter, createReceiptWriter } from '../bridge/index.js';
import { createMetrics } from '../lib/metrics.js';
import { createTokenService } from '../lib/tokens.js';
import { bootstrap, exitWith, onShutdownSignal } from '../platform/bootstrap.js';
import { brokerEndpoints, createPresenceStore, reloadTls, startStoreBackedBroker } from '../platform/start-broker.js';

const { config, log, secrets, db } = await bootstrap('broker', { shared: true });
const presence = createPresenceStore(config, log);
const broker = await startStoreBackedBroker(config, {
  db,
  presence,
  tokens: createTokenService({ secret: secrets.jwtSecret, ttlSeconds: config.TOKEN_TTL_SECONDS }),
  adminToken: secrets.adminToken,
  log,
  metrics: createMetrics({ defaultMetrics: true }),
}).catch((error: unknown) => exitWith(error));
// Read receipts and PUBACKs of room messages are seen here; the push worker (with the bridge) reads them from the database.
const marks = { flushIntervalMs: config.RECEIPT_FLUSH_MS, maxPending: 1000 };
const receipts = createReceiptWriter({ db, log }, marks);
const deliveries = createDeliveryWriter({ db, log }, marks);
broker.setReceiptHandler((mark) => receipts.record(mark));
broker.setDeliveryHandler((mark) => deliveries.record(mark));
process.stdout.write(`broker: ${Object.values(brokerEndpoints(config.HOST, broker.ports)).join('  ')}\n`);
process.on('SIGHUP', () => void reloadTls(broker, log));

onShutdownSignal(log, async () => {
  await broker.close();
  await receipts.close();
  await deliveries.close();
  await presence.close();
  await db.close();
});
