/**
 * The broker wired to the store: options from the config, membership and shared-room answers
 * from the database, presence soft state from `createPresenceStore`. Used by the
 * all-in-one platform and by `npm run broker`, so the two cannot drift apart.
 */
import { createBroker, MQTT_WS_PATH, type BusChannel, type PlatformBroker } from '../broker/index.js';
import { systemClock, type Clock, type WallClock } from '../lib/clock.js';
import type { Config } from '../lib/config.js';
import { silentLogger, type Logger } from '../lib/log.js';
import type { Metrics } from '../lib/metrics.js';
import type { TokenService } from '../lib/tokens.js';
import {
  createMemoryPresenceStore,
  createRedisPresenceStore,
  getMembership,
  readTokenDenials,
  sharedRoomIds,
  type Db,
  type PresenceStore,
} from '../store/index.js';

/** Presence soft state: shared by every node through Redis when there is one, else this process's memory. */
export const createPresenceStore = (config: Config, deps: { log?: Logger; clock?: WallClock } = {}): PresenceStore =>
  config.REDIS_URL === undefined
    ? createMemoryPresenceStore((deps.clock ?? systemClock).now)
    : createRedisPresenceStore(
        config.REDIS_URL,
        { log: deps.log ?? silentLogger() },
        { commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS },
      );

/** Where each listener that is on can be reached: `mqtt://`, `ws://…/mqtt`, `mqtts://`, `wss://…/mqtt`. */
/** `http://host:port` for a listener bound to `host` (an IPv6 address in brackets). */
export const httpUrl = (host: string, port: number): string => `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

export function brokerEndpoints(host: string, ports: PlatformBroker['ports']): BrokerEndpoints {
  const at = host.includes(':') ? `[${host}]` : host;
  const url = (scheme: string, port: number | undefined, path = '') =>
    port === undefined ? undefined : `${scheme}://${at}:${port}${path}`;
  return {
    ...defined('mqtt', url('mqtt', ports.mqtt)),
    ...defined('ws', url('ws', ports.ws, MQTT_WS_PATH)),
    ...defined('mqtts', url('mqtts', ports.mqtts)),
    ...defined('wss', url('wss', ports.wss, MQTT_WS_PATH)),
  };
}

/** SIGHUP: serve renewed certificate files to new TLS connections; a bad file is logged and the old certificate kept. */
export async function reloadTls(broker: PlatformBroker, log: Logger): Promise<void> {
  try {
    await broker.reloadTls();
  } catch (error) {
    log.error({ err: (error as Error).message }, 'TLS certificate not reloaded: keeping the previous one');
  }
}

export type BrokerEndpoints = Partial<Record<'mqtt' | 'ws' | 'mqtts' | 'wss', string>>;

const defined = <K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> =>
  value === undefined ? {} : ({ [key]: value } as Record<K, string>);

/** A broker that can publish but accepts no connection yet: `listen(sinks)` once its sinks exist. */
export async function createStoreBackedBroker(
  config: Config,
  deps: {
    db: Db;
    presence: PresenceStore;
    tokens: TokenService;
    adminToken: string;
    clock: Clock;
    log: Logger;
    metrics: Metrics;
    machineBus?: BusChannel;
  },
): Promise<PlatformBroker> {
  const { db } = deps;
  return createBroker(
    {
      host: config.HOST,
      ports: { mqtt: config.MQTT_PORT, ws: config.WS_PORT, mqtts: config.MQTTS_PORT, wss: config.WSS_PORT },
      tls:
        config.TLS_CERT_FILE === undefined || config.TLS_KEY_FILE === undefined
          ? undefined
          : { certFile: config.TLS_CERT_FILE, keyFile: config.TLS_KEY_FILE },
      maxPayloadBytes: config.MAX_PAYLOAD_BYTES,
      keepaliveLimitSeconds: config.KEEPALIVE_LIMIT_SECONDS,
      connectTimeoutMs: config.CONNECT_TIMEOUT_MS,
      maxPendingConnects: config.MAX_PENDING_CONNECTS,
      connectRatePerSecond: config.CONNECT_RATE_PER_SECOND,
      connectBurst: config.CONNECT_BURST,
      maxOutgoingBytes: config.MAX_OUTGOING_BYTES,
      maxUnackedDeliveries: config.MAX_UNACKED_DELIVERIES,
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
      revocationRefreshMs: config.REVOCATION_REFRESH_MS,
    },
    {
      ...deps,
      membership: { load: (roomId) => getMembership(db, roomId) },
      sharedRoomIds: (a, b, limit) => sharedRoomIds(db, a, b, limit),
      tokenDenials: { read: (sinceMs) => readTokenDenials(db, sinceMs) },
    },
  );
}
