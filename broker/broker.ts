/**
 * The platform's MQTT broker: Aedes with JWT auth, the topic ACL, the forward guard and
 * membership kept current by RoomEvents, listening on TCP and WebSocket.
 */
import type { EventEmitter } from 'node:events';
import { Aedes, type Client } from 'aedes';
import type { Logger } from '../lib/log.js';
import type { Metrics } from '../lib/metrics.js';
import type { TokenService } from '../lib/tokens.js';
import { installHooks, type DeliveryHandler, type ReceiptHandler, type SendHandler } from './aedes-hooks.js';
import { createConnectPolicy, installConnectGate } from './connect-gate.js';
import { createDeliveryAcks } from './delivery-acks.js';
import { createDisconnectReporter } from './disconnects.js';
import { identityOf } from './identity.js';
import { startListeners, type ListenerKind, type ListenerPort } from './listeners.js';
import { createMembershipCache, DEFAULT_LAST_SEQ_REFRESH_MS, type MembershipSource } from './membership-cache.js';
import { openBrokerState, type BrokerStateKind } from './persistence.js';
import { createPresenceGuard, DEFAULT_ROOMS_PER_WATCH, type PresenceGuardDeps } from './presence-guard.js';
import { startPresenceTracker, type PresenceState } from './presence-tracker.js';
import { followRooms } from './room-feed.js';
import { createTokenBuckets } from './token-bucket.js';
import { createTokenExpiry } from './token-expiry.js';
import { createTokenRevocations, type TokenDenialSource } from './token-revocations.js';

export interface BrokerOptions {
  host: string;
  ports: Record<ListenerKind, ListenerPort>;
  /** The TLS listeners' certificate and key files; without them mqtts and wss stay off. */
  tls: { certFile: string; keyFile: string } | undefined;
  maxPayloadBytes: number;
  keepaliveLimitSeconds: number;
  connectTimeoutMs: number;
  maxPendingConnects: number;
  connectRatePerSecond: number;
  connectBurst: number;
  maxOutgoingBytes: number;
  maxUnackedDeliveries: number;
  redisUrl: string | undefined;
  /** How long one Redis command may go unanswered before it fails (a hung Redis must not hang CONNECTs). */
  redisCommandTimeoutMs: number;
  typingRatePerSecond: number;
  typingBurst: number;
  receiptRatePerSecond: number;
  receiptBurst: number;
  subscribeRatePerSecond: number;
  subscribeBurst: number;
  presenceRefreshMs: number;
  presenceTtlMs: number;
  /** How often the token deny list is re-read, in case a revocation notice was lost. */
  revocationRefreshMs: number;
}

export interface BrokerDeps {
  tokens: TokenService;
  adminToken: string;
  membership: MembershipSource;
  sharedRoomIds: PresenceGuardDeps['sharedRoomIds'];
  /** Presence soft state: in memory, or Redis shared by all nodes. */
  presence: PresenceState;
  /** The token deny list (revoked devices, deleted users). */
  tokenDenials: TokenDenialSource;
  log: Logger;
  metrics: Metrics;
}

export interface PublishOptions {
  qos: 0 | 1;
  retain?: boolean;
}

export interface PlatformBroker {
  readonly aedes: Aedes;
  /** The bound port of every listener that is on (mqtt, ws, and with TLS mqtts, wss). */
  readonly ports: Partial<Record<ListenerKind, number>>;
  readonly stateKind: BrokerStateKind;
  /** False while the broker's shared state (Redis) is unreachable: it still serves its own clients, but not across nodes. */
  isStateHealthy(): boolean;
  /** Route every device send through `handler` before its PUBACK (the in-process bridge). */
  setSendHandler(handler: SendHandler): void;
  /** Hand every (stamped) read receipt to `handler`, which keeps the maximum per (room, user). */
  setReceiptHandler(handler: ReceiptHandler): void;
  /** Hand every PUBACK of a room Message by a device to `handler` (the push worker's delivery evidence). */
  setDeliveryHandler(handler: DeliveryHandler): void;
  publish(topic: string, payload: Uint8Array, options: PublishOptions): Promise<void>;
  /** Re-reads TLS_CERT_FILE and TLS_KEY_FILE for new connections (SIGHUP); throws, keeping the old ones, when they are unusable. */
  reloadTls(): Promise<void>;
  close(): Promise<void>;
}

// Long enough for client ids `{userId}:{deviceId}` of two 64-character ids.
const MAX_CLIENT_ID_LENGTH = 129;

export async function startBroker(options: BrokerOptions, deps: BrokerDeps): Promise<PlatformBroker> {
  const log = deps.log.child({ module: 'broker' });
  const state = await openBrokerState(
    options.redisUrl,
    { log, onForwardDropped: () => deps.metrics.redisForwardsDropped.inc() },
    { commandTimeoutMs: options.redisCommandTimeoutMs },
  );
  const aedes = await Aedes.createBroker({
    ...state.options,
    // The connect gate checks the keepalive (Aedes would answer an out-of-range one with code 6, which MQTT 3.1.1 lacks).
    keepaliveLimit: 0,
    connectTimeout: options.connectTimeoutMs,
    maxClientsIdLength: MAX_CLIENT_ID_LENGTH,
  }).catch(async (error: unknown) => {
    await state.close();
    throw error;
  });
  // Aedes reports failures of its own background work here (a Will sweep, an offline enqueue); unheard, each would end the process.
  // (Aedes emits 'error' but its types do not declare it.)
  (aedes as unknown as EventEmitter).on('error', (error: Error) => log.warn({ err: error.message }, 'broker background task failed'));
  const reportDisconnect = createDisconnectReporter({ log, metrics: deps.metrics });
  const membership = createMembershipCache(deps.membership, { now: Date.now, lastSeqRefreshMs: DEFAULT_LAST_SEQ_REFRESH_MS });
  const presenceGuard = createPresenceGuard({ membership, sharedRoomIds: deps.sharedRoomIds }, { roomsPerWatch: DEFAULT_ROOMS_PER_WATCH });
  let sendHandler: SendHandler | undefined;
  let receiptHandler: ReceiptHandler | undefined;
  let deliveryHandler: DeliveryHandler | undefined;
  const revocations = createTokenRevocations(
    {
      source: deps.tokenDenials,
      revoked: (client) => {
        reportDisconnect('token_revoked', { clientId: client.id });
        client.close();
      },
      log,
    },
    { refreshMs: options.revocationRefreshMs },
  );
  const typingLimiter = createTokenBuckets({ ratePerSecond: options.typingRatePerSecond, burst: options.typingBurst, now: Date.now });
  installHooks(aedes, {
    ...deps,
    membership,
    sendHandler: () => sendHandler,
    receiptHandler: () => receiptHandler,
    deliveryHandler: () => deliveryHandler,
    deliveryAcks: createDeliveryAcks({
      maxUnackedPerClient: options.maxUnackedDeliveries,
      // A connection that reads but does not acknowledge holds deliveries the push worker waits on: end it.
      tooManyUnacked: (source) => {
        const client = source as unknown as Client;
        reportDisconnect('unacked_deliveries', { clientId: client.id, maxUnackedDeliveries: options.maxUnackedDeliveries });
        setImmediate(() => client.close());
      },
    }),
    typingLimiter,
    receiptLimiter: createTokenBuckets({ ratePerSecond: options.receiptRatePerSecond, burst: options.receiptBurst, now: Date.now }),
    subscribeLimiter: createTokenBuckets({ ratePerSecond: options.subscribeRatePerSecond, burst: options.subscribeBurst, now: Date.now }),
    presenceGuard,
    tokenRefusal: (device) => revocations.refusal(device),
    log,
  });
  installConnectGate(
    aedes,
    createConnectPolicy({
      keepaliveLimitSeconds: options.keepaliveLimitSeconds,
      ratePerSecond: options.connectRatePerSecond,
      burst: options.connectBurst,
      now: Date.now,
    }),
    log,
  );

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
      reportDisconnect('token_expired', { clientId: client.id });
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
  aedes.on('keepaliveTimeout', (client) => reportDisconnect('keepalive_timeout', { clientId: client.id }));
  aedes.on('connectionError', (_client, error) => {
    // Aedes' wording for its connectTimeout (aedes/lib/client.js); other connection errors are the client's.
    if (error.message === 'connect did not arrive in time') reportDisconnect('connect_timeout', {});
  });

  await followRooms(aedes, { membership, presenceGuard, log });
  await revocations.follow(aedes);

  let listeners;
  try {
    listeners = await startListeners(aedes, options, { log, metrics: deps.metrics, reportDisconnect });
  } catch (error) {
    revocations.close();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await state.close();
    throw error;
  }
  log.info({ ports: listeners.ports, state: state.kind }, 'broker listening');

  return {
    aedes,
    ports: listeners.ports,
    stateKind: state.kind,
    isStateHealthy: () => state.isHealthy(),
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
    reloadTls: () => listeners.reloadTls(),
    async close() {
      presence.stop();
      tokenExpiry.close();
      revocations.close();
      const listenersClosed = listeners.close();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await listenersClosed;
      // Closing ended every connection, each with a presence update in flight: the presence store must outlive them.
      await presence.settled();
      await state.close();
    },
  };
}
