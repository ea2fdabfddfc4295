/**
 * The chat client an app embeds (phone, browser, Node): connects over MQTT (WebSocket or TCP)
 * with its JWT, follows the user's rooms, delivers each room's messages to the app once and in
 * seq order (filling gaps over REST), sends with retries until Ack or Nack and reports each
 * send's progress, keeps the room list with unread counts, pages back through history, watches
 * who is online in a room, and carries typing and read receipts. It talks to the platform only
 * through the public contract: topics and protobuf from `@mqtt-chat/protocol`, and REST over `fetch`.
 *
 * Composition only; each job lives in its own module: the connection loop (`connection.ts`),
 * pending sends (`outbox.ts`, `send-handle.ts`), the followed rooms and their summaries
 * (`room-registry.ts`, `room-summary.ts`), per-room ordering and catch-up (`room-sync.ts`,
 * `room-sequencer.ts`), paging back (`history-pager.ts`), presence (`presence.ts`), decoding
 * (`inbound.ts`), REST (`rest.ts`).
 */
import { encodeSend, inboxTopic, sendTopic, type RoomEvent } from '@mqtt-chat/protocol';
import { checkBackoffOptions, DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_CAP_MS } from './backoff.js';
import { createConnectWaiter } from './connect-waiter.js';
import { createConnection } from './connection.js';
import { createEmitter } from './emitter.js';
import { isSdkError, SdkError } from './errors.js';
import { createAdaptiveHeartbeat } from './heartbeat/adaptive-heartbeat.js';
import { createHistoryPager, type OlderPage } from './history-pager.js';
import { routeInbound, type InboundHandlers } from './inbound.js';
import { SUBACK_FAILURE } from './mqtt-session.js';
import { checkOptions, resolveDeps, type ChatClientDeps, type ChatClientOptions } from './options.js';
import { createOutbox, DEFAULT_ACK_TIMEOUT_MS, DEFAULT_MAX_OUTSTANDING_SENDS } from './outbox.js';
import { DEFAULT_PING_TIMEOUT_MS } from './ping-driver.js';
import { createPresenceTracker, type PresenceChange } from './presence.js';
import { createRestClient, type PushRegistration, type UserPresence } from './rest.js';
import { createRoomRegistry, type RoomRegistryEvents, type RoomState } from './room-registry.js';
import { DEFAULT_GAP_WAIT_MS, DEFAULT_MAX_HELD } from './room-sequencer.js';
import type { RoomSummary } from './room-summary.js';
import { createSendTracker, type SendHandle, type SendUpdate } from './send-handle.js';
import type { ClientStatus } from './status.js';
import type { TypingSender } from './typing/typing-sender.js';

/** The platform's KEEPALIVE_LIMIT_SECONDS default: the longest keepalive it accepts, leaving the heartbeat free to adapt. */
export const DEFAULT_KEEPALIVE_SECONDS = 1800;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Reset the reconnect backoff after a session stayed up this long (AWS IoT's 20 s). */
export const DEFAULT_STABLE_AFTER_MS = 20_000;

export interface ChatClientEvents extends RoomRegistryEvents {
  /** Every transition of the connection, with `{code, reason}`. */
  status: ClientStatus;
  /** Read receipts of every member, the user's own (from any of their devices) included. */
  receipt: { roomId: string; userId: string; readSeq: number };
  roomEvent: RoomEvent;
  /** Every transition of every send: pending, then acked or failed. */
  send: SendUpdate;
  /** A member of a watched room went online or offline. */
  presence: PresenceChange;
}

export interface ClientStats {
  /** Payloads on the client's topics that did not decode or made no sense: dropped. */
  malformed: number;
  /** Messages seen again (live after a fetch, a resend's re-publish): dropped. */
  duplicates: number;
  /** Gaps that outlasted gapWaitMs and were fetched over REST. */
  gapFetches: number;
  /** Sends published again (reconnect or ack timeout). */
  resends: number;
  /** Sends refreshed and resent after Nack STALE_ROOM_VERSION. */
  staleRefreshes: number;
}

export interface ChatClient {
  /**
   * Starts connecting (unless connecting or connected). Resolves once connected; rejects with an
   * SdkError when the connection stops for good: ERR_SDK_UNAUTHORIZED (bad or expired token),
   * ERR_SDK_CONNECTION_REFUSED, ERR_SDK_CLOSED. Network failures are retried in the background
   * meanwhile, and after the first connect, reconnects happen on their own ('status' events).
   */
  connect(): Promise<void>;
  /** The phone moved to another network (Wi-Fi ↔ cellular): reconnect now and re-learn the heartbeat interval. */
  networkChanged(): void;
  /** Disconnects gracefully; pending sends fail with ERR_SDK_CLOSED, a pending connect() too. */
  close(): void;
  status(): ClientStatus;
  on<K extends keyof ChatClientEvents>(event: K, listener: (payload: ChatClientEvents[K]) => void): () => void;
  /**
   * Sends a message: a promise of the seq (resolves on the platform's Ack, rejects with an
   * SdkError on a final Nack) that also tells its `clientMsgId` and progress (`state()`,
   * `onChange()`). A string body goes as UTF-8 with contentType 'text/plain' unless one is given.
   * Sent while offline, it waits for the connection and is resent until answered.
   */
  send(roomId: string, body: Uint8Array | string, options?: { contentType?: string }): SendHandle;
  /** Follows a room (optionally from the state the app stored); rooms are followed automatically with `followAllRooms`. */
  followRoom(roomId: string, state?: RoomState): void;
  /** The followed rooms, as a room list shows them (name, lastSeq, readSeq, unread, members when known). */
  rooms(): RoomSummary[];
  room(roomId: string): RoomSummary | undefined;
  /** Follows the room and fetches it (members included); rejects with ERR_SDK_REST when that fails. */
  refreshRoom(roomId: string): Promise<RoomSummary>;
  /** The last seq delivered to the app in the room (0 for none). */
  lastSeq(roomId: string): number;
  /**
   * The next `limit` (1-500) messages older than what the client has of the room, ascending: below
   * the oldest message it delivered, or below `before`. `reachedStart` says nothing older can come.
   */
  loadOlder(roomId: string, limit: number, options?: { before?: number }): Promise<OlderPage>;
  /** Watches who of the room's other members is online ('presence' events); resolves with their states. */
  watchPresence(roomId: string): Promise<UserPresence[]>;
  unwatchPresence(roomId: string): void;
  /** The presence of a watched room's other members whose state is known. */
  presence(roomId: string): UserPresence[];
  typing(roomId: string): TypingSender;
  /** Marks the room read up to `seq` (default: the last message delivered), for the user's other devices and the members. */
  markRead(roomId: string, seq?: number): void;
  /** Registers this device's push token, so the platform pushes to it while it is offline. */
  registerPushToken(registration: PushRegistration): Promise<void>;
  stats(): ClientStats;
}

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
    { apiUrl: options.apiUrl, ...(options.restTimeoutMs === undefined ? {} : { timeoutMs: options.restTimeoutMs }) },
  );
  const waiter = createConnectWaiter();
  let malformed = 0;
  // Adaptive by default (DESIGN §8): starts at 4 min and learns the network's NAT timeout.
  const heartbeat = options.heartbeat ?? createAdaptiveHeartbeat();

  const connection = createConnection(
    { clock, random },
    {
      url: options.mqttUrl,
      userId,
      deviceId: options.deviceId,
      getToken,
      keepaliveSeconds: options.keepaliveSeconds ?? DEFAULT_KEEPALIVE_SECONDS,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      backoff: checkBackoffOptions('backoff', options.backoff ?? { baseMs: DEFAULT_BACKOFF_BASE_MS, capMs: DEFAULT_BACKOFF_CAP_MS }),
      stableAfterMs: options.stableAfterMs ?? DEFAULT_STABLE_AFTER_MS,
      pingTimeoutMs: options.pingTimeoutMs ?? DEFAULT_PING_TIMEOUT_MS,
      heartbeat,
    },
    {
      // CONNACK is in: subscribe the inbox and every followed room, then let everything waiting go out.
      async ready(session) {
        const inboxGranted = await rooms.subscribeAll(session, inboxTopic(userId));
        if (inboxGranted === SUBACK_FAILURE) throw new Error('the broker refused the inbox subscription');
        outbox.online();
        presence.online(session);
        if (followAllRooms) void rooms.followListed();
      },
      message: (topic, payload) => routeInbound(topic, payload, inbound),
      down() {
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
      emit: (event, payload) => emitter.emit(event, payload as ChatClientEvents[typeof event]),
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
        connection.session()?.publish(sendTopic(userId), encodeSend({ ...send, roomVersion }), { qos: 1 });
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
      emitter.emit('roomEvent', event);
    },
    // The inbox carries the Acks of the user's other devices too: either way the room has that seq.
    ack(ack) {
      outbox.ack(ack);
      rooms.sawSeq(ack.roomId, ack.seq);
    },
    nack: (nack) => void outbox.nack(nack),
    presence: (presenceUserId, state) => presence.received(presenceUserId, state),
    malformed(topic, reason) {
      malformed += 1;
      log('warn', { topic, reason }, 'malformed payload dropped');
    },
  };

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
      // The old socket is bound to the old network's address: it is dead even if nobody said so.
      if (connection.status().state !== 'disconnected') connection.fail({ kind: 'network', message: 'the phone changed networks' });
    },
    close() {
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
    loadOlder: (roomId, limit, loadOptions = {}) => pager.loadOlder(roomId, limit, loadOptions.before),
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
  };
}

function tokenSource(options: ChatClientOptions): () => Promise<string> {
  const { token, getToken } = options;
  if (getToken !== undefined) return async () => getToken();
  if (token !== undefined) return () => Promise.resolve(token);
  throw new RangeError('createChatClient needs `token` or `getToken`');
}
