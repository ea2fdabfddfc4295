/**
 * The platform's MQTT broker: Aedes with JWT auth, the topic ACL, the forward guard and
 * membership kept current by RoomEvents, listening on TCP and WebSocket.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Aedes } from 'aedes';
import { createDuplexPair } from '../lib/duplex-pair.js';
import type { Logger } from '../lib/log.js';
import type { Metrics } from '../lib/metrics.js';
import type { TokenService } from '../lib/tokens.js';
import { installHooks, type DeliveryHandler, type ReceiptHandler, type SendHandler } from './aedes-hooks.js';
import { createDeliveryAcks } from './delivery-acks.js';
import { identityOf } from './identity.js';
import { startListeners } from './listeners.js';
import { createMembershipCache, DEFAULT_LAST_SEQ_REFRESH_MS, type MembershipSource } from './membership-cache.js';
import { brokerState, type BrokerStateKind } from './persistence.js';
import { createPresenceGuard, DEFAULT_ROOMS_PER_WATCH, type PresenceGuardDeps } from './presence-guard.js';
import { startPresenceTracker, type PresenceState } from './presence-tracker.js';
import { followRooms } from './room-feed.js';
import { createTokenBuckets } from './token-bucket.js';
import { createTokenExpiry } from './token-expiry.js';

export interface BrokerOptions {
  host: string;
  mqttPort: number;
  wsPort: number;
  maxPayloadBytes: number;
  keepaliveLimitSeconds: number;
  redisUrl: string | undefined;
  typingRatePerSecond: number;
  typingBurst: number;
  receiptRatePerSecond: number;
  receiptBurst: number;
  subscribeRatePerSecond: number;
  subscribeBurst: number;
  presenceRefreshMs: number;
  presenceTtlMs: number;
}

export interface BrokerDeps {
  tokens: TokenService;
  adminToken: string;
  membership: MembershipSource;
  sharedRoomIds: PresenceGuardDeps['sharedRoomIds'];
  /** Presence soft state: in memory, or Redis shared by all nodes. */
  presence: PresenceState;
  log: Logger;
  metrics: Metrics;
}

export interface PublishOptions {
  qos: 0 | 1;
  retain?: boolean;
}

export interface PlatformBroker {
  readonly aedes: Aedes;
  readonly mqttPort: number;
  readonly wsPort: number;
  readonly stateKind: BrokerStateKind;
  /** Route every device send through `handler` before its PUBACK (the in-process bridge). */
  setSendHandler(handler: SendHandler): void;
  /** Hand every (stamped) read receipt to `handler`, which keeps the maximum per (room, user). */
  setReceiptHandler(handler: ReceiptHandler): void;
  /** Hand every PUBACK of a room Message by a device to `handler` (the push worker's delivery evidence). */
  setDeliveryHandler(handler: DeliveryHandler): void;
  publish(topic: string, payload: Uint8Array, options: PublishOptions): Promise<void>;
  /** An HTTP Upgrade from another server (the API's port): /mqtt is served as on the WebSocket listener, anything else refused. */
  handleWebSocketUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /**
   * A connection from inside the process, as if from the network: the client end of an
   * in-memory stream whose other end the broker serves, with the same CONNECT authentication,
   * ACL, forward guard and rate limits as any device.
   */
  connectInProcess(): Duplex;
  close(): Promise<void>;
}

// Long enough for client ids `{userId}:{deviceId}` of two 64-character ids.
const MAX_CLIENT_ID_LENGTH = 129;
// Room deliveries one connection may leave unacknowledged before the oldest are forgotten (a
// forgotten one only means its member may get a push for a message it did receive).
const MAX_UNACKED_PER_CLIENT = 1024;

export async function startBroker(options: BrokerOptions, deps: BrokerDeps): Promise<PlatformBroker> {
  const log = deps.log.child({ module: 'broker' });
  const state = brokerState(options.redisUrl);
  const aedes = await Aedes.createBroker({
    ...state.options,
    keepaliveLimit: options.keepaliveLimitSeconds,
    maxClientsIdLength: MAX_CLIENT_ID_LENGTH,
  });
  const membership = createMembershipCache(deps.membership, { now: Date.now, lastSeqRefreshMs: DEFAULT_LAST_SEQ_REFRESH_MS });
  const presenceGuard = createPresenceGuard({ membership, sharedRoomIds: deps.sharedRoomIds }, { roomsPerWatch: DEFAULT_ROOMS_PER_WATCH });
  let sendHandler: SendHandler | undefined;
  let receiptHandler: ReceiptHandler | undefined;
  let deliveryHandler: DeliveryHandler | undefined;
  const typingLimiter = createTokenBuckets({ ratePerSecond: options.typingRatePerSecond, burst: options.typingBurst, now: Date.now });
  installHooks(aedes, {
    ...deps,
    membership,
    sendHandler: () => sendHandler,
    receiptHandler: () => receiptHandler,
    deliveryHandler: () => deliveryHandler,
    deliveryAcks: createDeliveryAcks({ maxUnackedPerClient: MAX_UNACKED_PER_CLIENT }),
    typingLimiter,
    receiptLimiter: createTokenBuckets({ ratePerSecond: options.receiptRatePerSecond, burst: options.receiptBurst, now: Date.now }),
    subscribeLimiter: createTokenBuckets({ ratePerSecond: options.subscribeRatePerSecond, burst: options.subscribeBurst, now: Date.now }),
    presenceGuard,
    log,
  });

  const publish = (topic: string, payload: Uint8Array, publishOptions: PublishOptions): Promise<void> =>
    new Promise((resolve, reject) =>
      aedes.publish(
        {
          cmd: 'publish',
          topic,
          payload: Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength),
          qos: publishOptions.qos,
          retain: publishOptions.retain ?? false,
          dup: false,
        },
        (error) => (error ? reject(error) : resolve()),
      ),
    );
  const presence = startPresenceTracker(
    { state: deps.presence, publish, now: Date.now, log },
    { refreshMs: options.presenceRefreshMs, ttlMs: options.presenceTtlMs },
  );

  const tokenExpiry = createTokenExpiry({
    now: Date.now,
    expired: (client) => {
      log.info({ clientId: client.id }, 'token expired: connection closed');
      client.close();
    },
  });
  aedes.on('client', (client) => {
    const identity = identityOf(client);
    if (identity === undefined) return;
    deps.metrics.mqttConnections.inc();
    if (identity.kind !== 'device') return;
    presence.deviceConnected(identity.userId, identity.deviceId);
    tokenExpiry.watch(client, identity.tokenExpiresAtMs);
  });
  aedes.on('clientDisconnect', (client) => {
    typingLimiter.forget(client.id);
    tokenExpiry.forget(client);
    const identity = identityOf(client);
    if (identity === undefined) return;
    deps.metrics.mqttConnections.dec();
    if (identity.kind === 'device') presence.deviceGone(identity.userId, identity.deviceId);
  });
  aedes.on('connackSent', (packet) => {
    if (packet.returnCode !== 0) deps.metrics.mqttConnectsRefused.inc({ reason: String(packet.returnCode) });
  });
  aedes.on('clientError', (client, error) => log.debug({ clientId: client.id, err: error.message }, 'client error'));

  await followRooms(aedes, { membership, presenceGuard, log });

  let listeners;
  try {
    listeners = await startListeners(aedes, options, log);
  } catch (error) {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    throw error;
  }
  log.info({ mqttPort: listeners.mqttPort, wsPort: listeners.wsPort, state: state.kind }, 'broker listening');

  return {
    aedes,
    mqttPort: listeners.mqttPort,
    wsPort: listeners.wsPort,
    stateKind: state.kind,
    setSendHandler(handler) {
      sendHandler = handler;
    },
    setReceiptHandler(handler) {
      receiptHandler = handler;
    },
    setDeliveryHandler(handler) {
      deliveryHandler = handler;
    },
    publish,
    handleWebSocketUpgrade: (req, socket, head) => listeners.handleUpgrade(req, socket, head),
    connectInProcess() {
      const [client, server] = createDuplexPair();
      aedes.handle(server);
      return client;
    },
    async close() {
      presence.stop();
      tokenExpiry.close();
      const listenersClosed = listeners.close();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await listenersClosed;
      // Closing ended every connection, each with a presence update in flight: the presence store must outlive them.
      await presence.settled();
      const persistence = (aedes as unknown as { persistence: { destroy?: () => Promise<void> } }).persistence;
      if (state.kind === 'redis') await persistence.destroy?.();
    },
  };
}
