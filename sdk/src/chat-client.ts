/**
 * The chat client an app embeds (phone, browser, Node): connects over MQTT (WebSocket or TCP)
 * with its JWT, follows the user's rooms, delivers each room's messages to the app once and in
 * seq order (filling gaps over REST), sends with retries until Ack or Nack and reports each
 * send's progress, keeps the room list with unread counts, pages back through history, watches
 * who is online in a room, and carries typing and read receipts. It talks to the platform only
 * through the public contract: topics and protobuf from `@mqtt-chat/protocol`, and REST over `fetch`.
 *
 * Composition only (the API it implements is `client-api.ts`, its options `options.ts`); each job
 * lives in its own module: the connection loop (`connection.ts`) and the promise of `connect()`
 * (`connect-waiter.ts`), pending sends (`outbox.ts`, `send-handle.ts`), the followed rooms and
 * their summaries (`room-registry.ts`, `room-summary.ts`), per-room ordering and catch-up
 * (`room-sync.ts`, `room-sequencer.ts`), paging back (`history-pager.ts`), presence
 * (`presence.ts`), decoding (`inbound.ts`), REST (`rest.ts`).
 */
import { encodeSend, inboxTopic, sendTopic, type Message, type Send } from '@mqtt-chat/protocol';
import { checkBackoffOptions, DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_CAP_MS } from './backoff.js';
import type { ChatClient, ChatClientEvents } from './client-api.js';
import { createConnectWaiter } from './connect-waiter.js';
import { createConnection } from './connection.js';
import { resolveE2eeOptions } from './e2ee/e2ee-api.js';
import { createE2eeEngine, type E2eeEngine } from './e2ee/engine.js';
import { createEmitter } from './emitter.js';
import { isSdkError, SdkError } from './errors.js';
import { createAdaptiveHeartbeat } from './heartbeat/adaptive-heartbeat.js';
import { createHistoryPager } from './history-pager.js';
import { routeInbound, type InboundHandlers } from './inbound.js';
import { openMqttSession, SUBACK_FAILURE } from './mqtt-session.js';
import { checkOptions, defaultTransportMode, resolveDeps, type ChatClientDeps, type ChatClientOptions } from './options.js';
import { createOutbox, DEFAULT_ACK_TIMEOUT_MS, DEFAULT_MAX_OUTSTANDING_SENDS } from './outbox.js';
import { DEFAULT_PING_TIMEOUT_MS } from './ping-driver.js';
import { createPresenceTracker } from './presence.js';
import { createRestClient, DEFAULT_REST_TIMEOUT_MS } from './rest.js';
import { createRoomRegistry } from './room-registry.js';
import { DEFAULT_GAP_WAIT_MS, DEFAULT_MAX_HELD } from './room-sequencer.js';
import type { RoomSummary } from './room-summary.js';
import { createSendTracker } from './send-handle.js';
import { openSseSession } from './sse-session.js';
import { createTransportPolicy, DEFAULT_SSE_FALLBACK_AFTER_FAILURES } from './transport-policy.js';

/** The platform's KEEPALIVE_LIMIT_SECONDS default: the longest keepalive it accepts, leaving the heartbeat free to adapt. */
export const DEFAULT_KEEPALIVE_SECONDS = 1800;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Reset the reconnect backoff after a session stayed up this long (AWS IoT's 20 s). */
export const DEFAULT_STABLE_AFTER_MS = 20_000;
/** On the SSE fallback, MQTT is tried again this often. */
export const DEFAULT_MQTT_PROBE_INTERVAL_MS = 120_000;

/** A client with the real clock, Math.random and Web Crypto. */
export function createChatClient(options: ChatClientOptions): ChatClient;
/** A client with some dependencies injected (tests, simulators); the rest default. */
export function createChatClient(deps: Partial<ChatClientDeps>, options: ChatClientOptions): ChatClient;
export function createChatClient(first: ChatClientOptions | Partial<ChatClientDeps>, second?: ChatClientOptions): ChatClient {
  const options = second ?? (first as ChatClientOptions);
  return buildClient(resolveDeps(second === undefined ? {} : (first as Partial<ChatClientDeps>)), options);
}

function buildClient(deps: ChatClientDeps, options: ChatClientOptions): ChatClient {
  checkOptions(options);
  const { clock, random, log } = deps;
  const { userId } = options;
  const getToken = tokenSource(options);
  const followAllRooms = options.followAllRooms ?? true;
  const emitter = createEmitter<ChatClientEvents>((event, error) => log('warn', { event, err: String(error) }, 'app listener threw'));
  const rest = createRestClient(
    { getToken },
    {
      apiUrl: options.apiUrl,
      timeoutMs: options.restTimeoutMs ?? DEFAULT_REST_TIMEOUT_MS,
      ...(options.roomsPageLimit === undefined ? {} : { roomsPageLimit: options.roomsPageLimit }),
    },
  );
  const waiter = createConnectWaiter();
  let malformed = 0;
  // Adaptive by default (docs/mobile-realities.md#the-adaptive-heartbeat): starts at 4 min and
  // learns the network's NAT timeout.
  const heartbeat = options.heartbeat ?? createAdaptiveHeartbeat();

  const transports = createTransportPolicy({
    mode: options.transport ?? defaultTransportMode(options.mqttUrl),
    fallbackAfterFailures: options.sseFallbackAfterFailures ?? DEFAULT_SSE_FALLBACK_AFTER_FAILURES,
  });
  const restTimeoutMs = options.restTimeoutMs ?? DEFAULT_REST_TIMEOUT_MS;

  const connection = createConnection(
    {
      clock,
      random,
      transports,
      openSession: (transport, request, handlers) =>
        transport === 'mqtt'
          ? openMqttSession({ clock }, { url: options.mqttUrl, ...request }, handlers)
          : openSseSession(
              { clock },
              {
                apiUrl: options.apiUrl,
                userId,
                token: request.password,
                connectTimeoutMs: request.connectTimeoutMs,
                restTimeoutMs,
                resume: resumePositions(),
              },
              handlers,
            ),
    },
    {
      userId,
      deviceId: options.deviceId,
      getToken,
      keepaliveSeconds: options.keepaliveSeconds ?? DEFAULT_KEEPALIVE_SECONDS,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      backoff: checkBackoffOptions('backoff', options.backoff ?? { baseMs: DEFAULT_BACKOFF_BASE_MS, capMs: DEFAULT_BACKOFF_CAP_MS }),
      stableAfterMs: options.stableAfterMs ?? DEFAULT_STABLE_AFTER_MS,
      pingTimeoutMs: options.pingTimeoutMs ?? DEFAULT_PING_TIMEOUT_MS,
      heartbeat,
      probeIntervalMs: options.mqttProbeIntervalMs ?? DEFAULT_MQTT_PROBE_INTERVAL_MS,
    },
    {
      // CONNACK is in: subscribe the inbox and every followed room, then let everything waiting go out.
      async ready(session) {
        const inboxGranted = await rooms.subscribeAll(session, inboxTopic(userId));
        if (inboxGranted === SUBACK_FAILURE) throw new Error('the broker refused the inbox subscription');
        e2ee?.online();
        outbox.online();
        presence.online(session);
        if (followAllRooms) void rooms.followListed();
      },
      message: (topic, payload) => routeInbound(topic, payload, inbound),
      down() {
        e2ee?.offline();
        outbox.offline();
        rooms.offline();
      },
      status(status) {
        log('info', { status }, 'status');
        emitter.emit('status', status);
        waiter.statusChanged(status);
      },
    },
  );

  const rooms = createRoomRegistry(
    {
      clock,
      random,
      rest,
      session: () => connection.session(),
      // ChatClientEvents extends RoomRegistryEvents, so the payload types agree; TS cannot see it through the generic.
      emit(event, payload) {
        // End-to-end encryption: messages reach the app decrypted, still in delivery order.
        if (event === 'message' && e2ee !== undefined) return e2ee.deliver(payload as Message, (opened) => emitter.emit('message', opened));
        emitter.emit(event, payload as ChatClientEvents[typeof event]);
      },
      restFailed,
      log: (fields, message) => log('info', fields, message),
    },
    {
      selfUserId: userId,
      followJoined: followAllRooms,
      gapWaitMs: options.gapWaitMs ?? DEFAULT_GAP_WAIT_MS,
      maxHeld: options.maxHeldPerRoom ?? DEFAULT_MAX_HELD,
      fetchRetryBackoff: checkBackoffOptions('fetchRetryBackoff', options.fetchRetryBackoff ?? { baseMs: 1000, capMs: 30_000 }),
      initialHistoryLimit: options.initialHistoryLimit,
    },
  );

  const outbox = createOutbox(
    {
      clock,
      random,
      publish(send) {
        const roomVersion = rooms.get(send.roomId)?.memberVersion ?? 0;
        const out = (wire: Send) => connection.session()?.publish(sendTopic(userId), encodeSend(wire), { qos: 1 });
        if (e2ee === undefined) return out({ ...send, roomVersion });
        e2ee.publish(send, roomVersion, out, (error) => outbox.fail(send.clientMsgId, error));
      },
      refreshRoom: async (roomId, nackedVersion) => void (await rooms.refresh(roomId, nackedVersion)),
      newClientMsgId: deps.newClientMsgId,
      progress: (update) => emitter.emit('send', update),
    },
    {
      ackTimeoutMs: options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS,
      retryBackoff: checkBackoffOptions('sendRetryBackoff', options.sendRetryBackoff ?? { baseMs: 1000, capMs: 60_000 }),
      maxOutstanding: options.maxOutstandingSends ?? DEFAULT_MAX_OUTSTANDING_SENDS,
    },
  );

  const e2ee: E2eeEngine | undefined =
    options.e2ee === undefined
      ? undefined
      : createE2eeEngine(
          {
            clock,
            random,
            getToken,
            submit: (roomId, body, contentType) => outbox.submit(roomId, body, contentType).result,
            log: (fields, message) => log('info', fields, message),
          },
          {
            apiUrl: options.apiUrl,
            userId,
            deviceId: options.deviceId,
            restTimeoutMs: options.restTimeoutMs ?? DEFAULT_REST_TIMEOUT_MS,
            keyRetryBackoff: checkBackoffOptions('fetchRetryBackoff', options.fetchRetryBackoff ?? { baseMs: 1000, capMs: 30_000 }),
          },
          resolveE2eeOptions(options.e2ee),
        );
  if (e2ee !== undefined) emitter.on('send', (update) => e2ee.settled(update));

  const presence = createPresenceTracker(
    {
      session: () => connection.session(),
      rest,
      changed: (change) => emitter.emit('presence', change),
      restFailed,
      log: (fields, message) => log('info', fields, message),
    },
    { selfUserId: userId },
  );

  const pager = createHistoryPager({
    rest,
    async deliveredFrom(roomId) {
      const sync = rooms.get(roomId)?.sync;
      if (sync === undefined) return Number.MAX_SAFE_INTEGER;
      await sync.started();
      return sync.startSeq();
    },
  });

  // The client's own bookkeeping follows its events: membership feeds presence, resets restart paging.
  emitter.on('roomUpdated', (summary) => {
    if (summary.members !== undefined) presence.membersChanged(summary.id, summary.members);
  });
  emitter.on('roomRemoved', ({ roomId }) => {
    presence.unwatch(roomId);
    pager.reset(roomId);
  });
  emitter.on('epochChanged', ({ roomId }) => pager.reset(roomId));

  const inbound: InboundHandlers = {
    message: (message) => rooms.get(message.roomId)?.sync.offerLive(message),
    typing: (roomId, typing) => rooms.get(roomId)?.typingReceiver.receive(typing),
    receipt(roomId, receipt) {
      if (rooms.get(roomId) === undefined) return;
      rooms.sawReceipt(roomId, receipt.userId, receipt.readSeq);
      emitter.emit('receipt', { roomId, userId: receipt.userId, readSeq: receipt.readSeq });
    },
    roomEvent(event) {
      rooms.apply(event);
      e2ee?.roomEvent(event);
      emitter.emit('roomEvent', event);
    },
    keysLow: (notice) => e2ee?.keysLow(notice),
    // The inbox carries the Acks of the user's other devices too: either way the room has that seq.
    ack(ack) {
      outbox.ack(ack);
      rooms.sawOwnSend(ack.roomId, ack.seq);
    },
    nack: (nack) => void outbox.nack(nack),
    presence: (presenceUserId, state) => presence.received(presenceUserId, state),
    malformed(topic, reason) {
      malformed += 1;
      log('warn', { topic, reason }, 'malformed payload dropped');
    },
  };

  /**
   * Where an event stream (the SSE fallback) resumes each room: the last seq delivered. A room
   * with nothing delivered yet is left to the usual catch-up, which honours initialHistoryLimit.
   */
  function resumePositions(): Map<string, number> {
    const positions = new Map<string, number>();
    for (const roomId of rooms.ids()) {
      const lastSeq = rooms.get(roomId)?.sync.lastSeq() ?? 0;
      if (lastSeq > 0) positions.set(roomId, lastSeq);
    }
    return positions;
  }

  /** A REST answer of 401 means the token is no longer accepted: the same fatal status as a CONNACK 5. */
  function restFailed(what: string, error: unknown): void {
    log('warn', { what, err: String(error) }, 'REST call failed');
    if (isSdkError(error) && error.status === 401) connection.fail({ kind: 'unauthorized', reason: `REST 401 while ${what}` });
  }

  async function refreshRoom(roomId: string): Promise<RoomSummary> {
    rooms.followNamed(roomId);
    try {
      return await rooms.load(roomId);
    } catch (error) {
      restFailed(`refreshing ${roomId}`, error);
      throw error;
    }
  }

  return {
    connect() {
      connection.connect();
      return waiter.wait(connection.status());
    },
    networkChanged() {
      heartbeat.networkChanged();
      // A new network may let through what the old one blocked: MQTT first again.
      transports.reset();
      const { state } = connection.status();
      // Waiting to retry: the new network is worth trying at once.
      if (state === 'connecting' && connection.retryNow()) return;
      // The old socket is bound to the old network's address: it is dead even if nobody said so.
      if (state !== 'disconnected') connection.fail({ kind: 'network', message: 'the phone changed networks' });
    },
    close() {
      e2ee?.close();
      connection.close();
      outbox.rejectAll(new SdkError('ERR_SDK_CLOSED', 'the client was closed'));
    },
    status: () => connection.status(),
    on: (event, listener) => emitter.on(event, listener),
    send(roomId, body, sendOptions = {}) {
      rooms.followNamed(roomId).typingSender().messageSent();
      const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
      const contentType = sendOptions.contentType ?? (typeof body === 'string' ? 'text/plain' : '');
      const tracker = createSendTracker();
      const { clientMsgId, result } = outbox.submit(roomId, bytes, contentType, (update) => tracker.update(update));
      return tracker.handle({ roomId, clientMsgId }, result);
    },
    followRoom: (roomId, state) => void rooms.followNamed(roomId, state),
    rooms: () => rooms.summaries(),
    room: (roomId) => rooms.summary(roomId),
    refreshRoom,
    lastSeq: (roomId) => rooms.get(roomId)?.sync.lastSeq() ?? 0,
    async loadOlder(roomId, limit, loadOptions = {}) {
      const page = await pager.loadOlder(roomId, limit, loadOptions.before);
      return e2ee === undefined ? page : { ...page, messages: await e2ee.openAll(page.messages) };
    },
    async watchPresence(roomId) {
      const known = rooms.summary(roomId)?.members;
      const members = known ?? (await refreshRoom(roomId)).members ?? [];
      await presence.watch(roomId, members);
      return presence.roomPresence(roomId);
    },
    unwatchPresence: (roomId) => presence.unwatch(roomId),
    presence: (roomId) => presence.roomPresence(roomId),
    typing: (roomId) => rooms.followNamed(roomId).typingSender(),
    markRead(roomId, seq) {
      rooms.markRead(roomId, seq ?? rooms.get(roomId)?.sync.lastSeq() ?? 0);
    },
    registerPushToken: (registration) => rest.registerPush(options.deviceId, registration),
    stats: () => ({ malformed, ...rooms.counters(), ...outbox.counters() }),
    e2ee: e2ee?.api,
  };
}

function tokenSource(options: ChatClientOptions): () => Promise<string> {
  const { token, getToken } = options;
  if (getToken !== undefined) return async () => getToken();
  if (token !== undefined) return () => Promise.resolve(token);
  throw new RangeError('createChatClient needs `token` or `getToken`');
}
