/**
 * The platform's MQTT broker: Aedes with JWT auth, the topic ACL, the forward guard and
 * membership kept current by RoomEvents, listening on TCP and WebSocket (and TLS).
 *
 * Built in two steps, like a Fastify app: `createBroker` makes a broker that can publish but
 * accepts no connection, and `listen(sinks)` attaches where device sends, receipts and deliveries
 * go, then opens the listeners. The send pipeline needs the broker to publish its answers, and the
 * broker needs the pipeline to hand sends to: two steps let the composition root build both
 * without a setter, and no device can send before its send has somewhere to go.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Aedes, type Client } from 'aedes';
import type { Clock } from '../lib/clock.js';
import { createDuplexPair } from '../lib/duplex-pair.js';
import { createKeyedTokenBuckets } from '../lib/keyed-token-buckets.js';
import type { Logger } from '../lib/log.js';
import type { Metrics } from '../lib/metrics.js';
import type { TokenService } from '../lib/tokens.js';
import { parseTopic } from '../schema/index.js';
import {
  forgetConnectPassword,
  isConnectTimeout,
  keepNewestConnection,
  onBackgroundError,
  storeRetained,
  takePacketId,
} from './aedes-internals.js';
import { installHooks, type HookDeps } from './aedes-hooks.js';
import { createConnectPolicy, installConnectGate } from './connect-gate.js';
import { createDeliveryAcks } from './delivery-acks.js';
import { createDisconnectReporter, type ReportDisconnect } from './disconnects.js';
import { identityOf } from './identity.js';
import { startListeners, type ListenerKind, type ListenerPort, type Listeners } from './listeners.js';
import { createMembershipCache, DEFAULT_LAST_SEQ_REFRESH_MS, type MembershipCache, type MembershipSource } from './membership-cache.js';
import type { BusChannel } from './machine-bus-emitter.js';
import { openBrokerState, type BrokerStateKind } from './persistence.js';
import { createPresenceGuard, DEFAULT_ROOMS_PER_WATCH, type PresenceGuard, type PresenceGuardDeps } from './presence-guard.js';
import { startPresenceTracker, type PresenceState, type PresenceTracker } from './presence-tracker.js';
import { followRooms } from './room-feed.js';
import type { BrokerSinks } from './sinks.js';
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
  /** Token expiry, presence refreshes and TTLs, rate limits, membership rereads. */
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  /** The channel to the other workers of this node (WORKERS > 1 without Redis): machine-bus-emitter.ts. */
  machineBus?: BusChannel;
}

export interface PublishOptions {
  qos: 0 | 1;
  retain?: boolean;
}

export interface PlatformBroker {
  readonly aedes: Aedes;
  /** The bound port of every listener that is on (mqtt, ws, and with TLS mqtts, wss); empty until `listen`. */
  readonly ports: Partial<Record<ListenerKind, number>>;
  readonly stateKind: BrokerStateKind;
  /** False while the broker's shared state (Redis) is unreachable: it still serves its own clients, but not across nodes. */
  isStateHealthy(): boolean;
  publish(topic: string, payload: Uint8Array, options: PublishOptions): Promise<void>;
  /** Attaches the sinks and opens the listeners; once. */
  listen(sinks: BrokerSinks): Promise<void>;
  /** An HTTP Upgrade from another server (the API's port): /mqtt is served as on the WebSocket listener, anything else refused. */
  handleWebSocketUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /**
   * A connection from inside the process, as if from the network: the client end of an
   * in-memory stream whose other end the broker serves, with the same CONNECT authentication,
   * ACL, forward guard and rate limits as any device.
   */
  connectInProcess(): Duplex;
  /** Re-reads TLS_CERT_FILE and TLS_KEY_FILE for new connections (SIGHUP); throws, keeping the old ones, when they are unusable. */
  reloadTls(): Promise<void>;
  close(): Promise<void>;
}

// Long enough for client ids `{userId}:{deviceId}` of two 64-character ids.
const MAX_CLIENT_ID_LENGTH = 129;

export async function createBroker(options: BrokerOptions, deps: BrokerDeps): Promise<PlatformBroker> {
  const log = deps.log.child({ module: 'broker' });
  const state = await openBrokerState(
    options.redisUrl,
    {
      log,
      onForwardDropped: () => deps.metrics.redisForwardsDropped.inc(),
      onReceived: (topic) => deps.metrics.busReceived.inc({ topic_kind: parseTopic(topic)?.kind ?? 'other' }),
      ...(deps.machineBus === undefined ? {} : { machineBus: deps.machineBus }),
    },
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
  state.attach((packet) => storeRetained(aedes, packet));
  // Unheard, each failure of Aedes' own background work (a Will sweep, an offline enqueue) would end the process.
  onBackgroundError(aedes, (error) => log.warn({ err: error.message }, 'broker background task failed'));
  const membership = createMembershipCache(deps.membership, { now: deps.clock.now, lastSeqRefreshMs: DEFAULT_LAST_SEQ_REFRESH_MS });
  const presenceGuard = createPresenceGuard({ membership, sharedRoomIds: deps.sharedRoomIds }, { roomsPerWatch: DEFAULT_ROOMS_PER_WATCH });

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
    { state: deps.presence, publish, clock: deps.clock, log },
    { refreshMs: options.presenceRefreshMs, ttlMs: options.presenceTtlMs },
  );
  await followRooms(aedes, { membership, presenceGuard, log });
  const reportDisconnect = createDisconnectReporter({ log, metrics: deps.metrics });
  const revocations = createTokenRevocations(
    {
      source: deps.tokenDenials,
      revoked: (client) => {
        reportDisconnect('token_revoked', { clientId: client.id });
        client.close();
      },
      clock: deps.clock,
      log,
    },
    { refreshMs: options.revocationRefreshMs },
  );
  // Before any listener opens: a node reads the deny list (or refuses devices until it can) before its first CONNECT.
  await revocations.follow(aedes);

  let hasSinks = false;
  let listeners: Listeners | undefined;
  let closeConnections = (): void => undefined;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      presence.stop();
      revocations.close();
      closeConnections();
      const listenersClosed = listeners?.close();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await listenersClosed;
      // Closing ended every connection, each with a presence update in flight: the presence store must outlive them.
      await presence.settled();
      await state.close();
    })());
  return {
    aedes,
    get ports() {
      return listeners?.ports ?? {};
    },
    stateKind: state.kind,
    isStateHealthy: () => state.isHealthy(),
    publish,
    async listen(sinks) {
      // Once: the hooks close over these sinks.
      if (hasSinks) throw new Error('the broker is listening already');
      hasSinks = true;
      closeConnections = serveConnections(aedes, options, {
        ...deps,
        log,
        sinks,
        membership,
        presenceGuard,
        presenceTracker: presence,
        reportDisconnect,
        tokenRefusal: (device) => revocations.refusal(device),
      });
      try {
        listeners = await startListeners(aedes, options, { log, metrics: deps.metrics, reportDisconnect });
      } catch (error) {
        await close();
        throw error;
      }
      log.info({ ports: listeners.ports, state: state.kind }, 'broker listening');
    },
    handleWebSocketUpgrade(req, socket, head) {
      // The API opens its port after the broker listens; an upgrade before that has nowhere to go.
      if (listeners === undefined) return void socket.destroy();
      listeners.handleUpgrade(req, socket, head);
    },
    connectInProcess() {
      const [client, server] = createDuplexPair();
      aedes.handle(server);
      return client;
    },
    reloadTls: async () => listeners?.reloadTls(),
    close,
  };
}

interface ConnectionDeps extends Omit<BrokerDeps, 'membership' | 'presence' | 'tokenDenials'> {
  sinks: BrokerSinks;
  tokenRefusal: HookDeps['tokenRefusal'];
  membership: MembershipCache;
  presenceGuard: PresenceGuard;
  presenceTracker: PresenceTracker;
  reportDisconnect: ReportDisconnect;
}

/** Everything a connection meets, from CONNECT to its end: the gate, the hooks with the sinks, presence, token expiry, metrics. Returns what stops the timers. */
function serveConnections(aedes: Aedes, options: BrokerOptions, deps: ConnectionDeps): () => void {
  const { clock, log, metrics, reportDisconnect, presenceTracker: presence } = deps;
  const buckets = (ratePerSecond: number, burst: number) => createKeyedTokenBuckets({ now: clock.now }, { ratePerSecond, burst });
  const typingLimiter = buckets(options.typingRatePerSecond, options.typingBurst);
  const connectGate = installConnectGate(
    aedes,
    createConnectPolicy({
      keepaliveLimitSeconds: options.keepaliveLimitSeconds,
      ratePerSecond: options.connectRatePerSecond,
      burst: options.connectBurst,
      now: clock.now,
    }),
    log,
  );
  keepNewestConnection(aedes, {
    refused: (client) => reportDisconnect('superseded', { clientId: client.id }),
    takenOver: (previous) => reportDisconnect('taken_over', { clientId: previous.id }),
  });
  installHooks(aedes, {
    ...deps,
    connectGate,
    deliveryAcks: createDeliveryAcks<Client>(
      {
        takePacketId,
        // A connection that reads but does not acknowledge holds deliveries the push worker waits on: end it.
        tooManyUnacked: (client) => {
          reportDisconnect('unacked_deliveries', { clientId: client.id, maxUnackedDeliveries: options.maxUnackedDeliveries });
          setImmediate(() => client.close());
        },
      },
      { maxUnackedPerClient: options.maxUnackedDeliveries },
    ),
    typingLimiter,
    receiptLimiter: buckets(options.receiptRatePerSecond, options.receiptBurst),
    subscribeLimiter: buckets(options.subscribeRatePerSecond, options.subscribeBurst),
  });

  const tokenExpiry = createTokenExpiry<Client>({
    clock,
    expired: (client) => {
      reportDisconnect('token_expired', { clientId: client.id });
      client.close();
    },
  });
  aedes.on('client', (client) => {
    forgetConnectPassword(client);
    const identity = identityOf(client);
    if (identity === undefined) return;
    metrics.mqttConnections.inc();
    if (identity.kind !== 'device') return;
    presence.deviceConnected(identity.userId, identity.deviceId);
    tokenExpiry.watch(client, identity.tokenExpiresAtMs);
  });
  aedes.on('clientDisconnect', (client) => {
    typingLimiter.forget(client.id);
    tokenExpiry.forget(client);
    const identity = identityOf(client);
    if (identity === undefined) return;
    metrics.mqttConnections.dec();
    if (identity.kind === 'device') presence.deviceGone(identity.userId, identity.deviceId);
  });
  aedes.on('connackSent', (packet) => {
    if (packet.returnCode !== 0) metrics.mqttConnectsRefused.inc({ reason: String(packet.returnCode) });
  });
  aedes.on('clientError', (client, error) => log.debug({ clientId: client.id, err: error.message }, 'client error'));
  aedes.on('keepaliveTimeout', (client) => reportDisconnect('keepalive_timeout', { clientId: client.id }));
  aedes.on('connectionError', (_client, error) => {
    // Other connection errors are the client's.
    if (isConnectTimeout(error)) reportDisconnect('connect_timeout', {});
  });
  return () => tokenExpiry.close();
}
