/** `npm run bridge`: the bridge alone, consuming sends from the broker at BROKER_URL. */
import { createMetrics } from '../lib/metrics.js';
import { SERVICE_USERNAME } from '../lib/service-identity.js';
import { bootstrap, exitWith, onShutdownSignal } from '../platform/bootstrap.js';
import { startBridge } from './bridge.js';
import { connectMqttBrokerPort } from './mqtt-port.js';

const { config, log, secrets, db } = await bootstrap('bridge', { shared: true });
if (config.BROKER_URL === undefined)
  exitWith(new Error('npm run bridge needs BROKER_URL, the broker to consume sends from (e.g. mqtt://127.0.0.1:1883)'));
const brokerUrl = config.BROKER_URL;

const bridge = await (async () => {
  const port = await connectMqttBrokerPort({
    url: brokerUrl,
    clientId: 'chat-bridge',
    persistentSession: true,
    username: SERVICE_USERNAME,
    password: secrets.adminToken,
    maxInFlight: config.BATCH_MAX_MESSAGES * 4,
    log,
  });
  return startBridge(
    { db, port, log, metrics: createMetrics({ defaultMetrics: true }) },
    { maxBodyBytes: config.MAX_PAYLOAD_BYTES, batchMaxMessages: config.BATCH_MAX_MESSAGES, batchMaxWaitMs: config.BATCH_MAX_WAIT_MS },
  );
})().catch((error: unknown) => exitWith(error));
process.stdout.write(`bridge: consuming sends from ${brokerUrl}\n`);

onShutdownSignal(log, async () => {
  await bridge.close();
  await db.close();
});
