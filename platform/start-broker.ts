/**
 * The broker wired to the store: options from the config, membership and shared-room answers
 * from the database, presence soft state from `createPresenceStore`. Used by the
 * all-in-one platform and by `npm run broker`, so the two cannot drift apart.
 */
import { startBroker, type PlatformBroker } from '../broker/index.js';
import type { Config } from '../lib/config.js';
import { silentLogger, type Logger } from '../lib/log.js';
import type { Metrics } from '../lib/metrics.js';
import type { TokenService } from '../lib/tokens.js';
import {
  createMemoryPresenceStore,
  createRedisPresenceStore,
  getMembership,
  sharedRoomIds,
  type Db,
  type PresenceStore,
} from '../store/index.js';

/** Presence soft state: shared by every node through Redis when there is one, else this process's memory. */
export const createPresenceStore = (config: Config, log: Logger = silentLogger()): PresenceStore =>
  config.REDIS_URL === undefined
    ? createMemoryPresenceStore()
    : createRedisPresenceStore(config.REDIS_URL, { log }, { commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS });

export async function startStoreBackedBroker(
  config: Config,
  deps: { db: Db; presence: PresenceStore; tokens: TokenService; adminToken: string; log: Logger; metrics: Metrics },
): Promise<PlatformBroker> {
  const { db } = deps;
  return startBroker(
    {
      host: config.HOST,
      mqttPort: config.MQTT_PORT,
      wsPort: config.WS_PORT,
      maxPayloadBytes: config.MAX_PAYLOAD_BYTES,
      keepaliveLimitSeconds: config.KEEPALIVE_LIMIT_SECONDS,
      redisUrl: config.REDIS_URL,
      redisCommandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
      typingRatePerSecond: config.TYPING_RATE_PER_SECOND,
      typingBurst: config.TYPING_BURST,
      receiptRatePerSecond: config.RECEIPT_RATE_PER_SECOND,
      receiptBurst: config.RECEIPT_BURST,
      subscribeRatePerSecond: config.SUBSCRIBE_RATE_PER_SECOND,
      subscribeBurst: config.SUBSCRIBE_BURST,
      presenceRefreshMs: config.PRESENCE_REFRESH_MS,
      presenceTtlMs: config.PRESENCE_TTL_MS,
    },
    {
      ...deps,
      membership: { load: (roomId) => getMembership(db, roomId) },
      sharedRoomIds: (a, b, limit) => sharedRoomIds(db, a, b, limit),
    },
  );
}
