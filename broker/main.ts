/** `npm run broker`: the MQTT broker alone; sends pass through to a standalone bridge (`npm run bridge`). */
import { createMetrics } from '../lib/metrics.js';
import { createTokenService } from '../lib/tokens.js';
import { bootstrap, exitWith, onShutdownSignal } from '../platform/bootstrap.js';
import { getMembership, sharesRoom } from '../store/index.js';
import { startBroker } from './broker.js';

const { config, log, secrets, db } = await bootstrap('broker', { shared: true });
const broker = await startBroker(
  {
    host: config.HOST,
    mqttPort: config.MQTT_PORT,
    wsPort: config.WS_PORT,
    maxPayloadBytes: config.MAX_PAYLOAD_BYTES,
    keepaliveLimitSeconds: config.KEEPALIVE_LIMIT_SECONDS,
    redisUrl: config.REDIS_URL,
    typingRatePerSecond: config.TYPING_RATE_PER_SECOND,
    typingBurst: config.TYPING_BURST,
  },
  {
    tokens: createTokenService({ secret: secrets.jwtSecret, ttlSeconds: config.TOKEN_TTL_SECONDS }),
    adminToken: secrets.adminToken,
    membership: { load: (roomId) => getMembership(db, roomId) },
    sharesRoom: (a, b) => sharesRoom(db, a, b),
    log,
    metrics: createMetrics({ defaultMetrics: true }),
  },
).catch((error: unknown) => exitWith(error));
process.stdout.write(`broker: mqtt://${config.HOST}:${broker.mqttPort}  ws://${config.HOST}:${broker.wsPort}/mqtt\n`);

onShutdownSignal(log, async () => {
  await broker.close();
  await db.close();
});
