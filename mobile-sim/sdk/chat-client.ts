/**
 * The chat client a phone app embeds (docs/architecture.md#the-life-of-a-message): connects over
 * MQTT (TCP or WebSocket) with its JWT, follows the user's rooms, delivers each room's messages to
 * the app once and in seq order (filling gaps over REST), sends with retries until Ack or Nack, and
 * carries typing and read receipts. It talks to the platform only through the public contract:
 * topics and protobuf from `schema/`, and REST over `fetch`.
 *
 * Composition only; each job lives in its own module: the connection loop (`connection.ts`),
 * pending sends (`outbox.ts`), the followed rooms (`room-registry.ts`), per-room ordering and
 * catch-up (`room-sync.ts`, `room-sequencer.ts`), decoding (`inbound.ts`), REST (`rest.ts`).
 */
import { encodeSend, inboxTopic, sendTopic, type RoomEvent } from '../../schema/index.js';
import type { Clock } from '../clock.js';
import { createAdaptiveHeartbeat } from '../heartbeat/adaptive-heartbeat.js';
import type { HeartbeatPolicy } from '../heartbeat/heartbeat-policy.js';
import type { TypingSender } from '../typing/typing-sender.js';
import { checkBackoffOptions, DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_CAP_MS, type BackoffOptions } from './backoff.js';
import { createConnection } from './connection.js';
import { createEmitter } from './emitter.js';
import { isSdkError, SdkError } from './errors.js';
import { routeInbound, type InboundHandlers } from './inbound.js';
import { SUBACK_FAILURE } from './mqtt-session.js';
import { createOutbox, DEFAULT_ACK_TIMEOUT_MS, DEFAULT_MAX_OUTSTANDING_SENDS, type SendResult } from './outbox.js';
import { DEFAULT_PING_TIMEOUT_MS } from './ping-driver.js';
import { createRestClient, type PushRegistration } from './rest.js';
import { createRoomRegistry, type RoomRegistryEvents, type RoomState } from './room-registry.js';
import { DEFAULT_GAP_WAIT_MS, DEFAULT_MAX_HELD } from './room-sequencer.js';
import type { ClientStatus } from './status.js';

/** The platform's KEEPALIVE_LIMIT_SECONDS default: the longest keepalive it accepts, leaving the heartbeat free to adapt. */
export const DEFAULT_KEEPALIVE_SECONDS = 1800;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** docs/mobile-realities.md#reconnect-backoff: reset the backoff after 20 s connected. */
export const DEFAULT_STABLE_AFTER_MS = 20_000;

export type LogLevel = 'info' | 'warn';

export interface ChatClientDeps {
  clock: Clock;
  /** [0, 1), like Math.random. */
  random: () => number;
  log?: (level: LogLevel, fields: Record<string, unknown>, message: string) => void;
}

export interface ChatClientOptions {
  /** `mqtt://host:1883` or `ws://host:8083/mqtt`. */
  mqttUrl: string;
  apiUrl: string;
  userId: string;
  deviceId: string;
  /** A fixed token, or `getToken` (called before every connect and REST call, so a refreshed token is used). */
  token?: string;
  getToken?: () => string | Promise<string>;
  /** Reconnect backoff, full jitter (default base 1 s, cap 120 s). */
  backoff?: BackoffOptions;
  stableAfterMs?: number;
  connectTimeoutMs?: number;
  /** A send without an Ack for this long is published again (plus `sendRetryBackoff`). */
  ackTimeoutMs?: number;
  sendRetryBackoff?: BackoffOptions;
  maxOutstandingSends?: number;
  /** How long an out-of-order message waits for the seqs before it, before they are fetched over REST. */
  gapWaitMs?: number;
  maxHeldPerRoom?: number;
  /** Backoff of failed catch-up fetches. */
  fetchRetryBackoff?: BackoffOptions;
  restTimeoutMs?: number;
  heartbeat?: HeartbeatPolicy;
  keepaliveSeconds?: number;
  pingTimeoutMs?: number;
  /** Follow every room of the user (GET /v1/rooms on each connect, and RoomEvents in the inbox); default true. */
  followAllRooms?: boolean;
}

export interface ChatClientEvents extends RoomRegistryEvents {
  status: ClientStatus;
  /** Read receipts of every member, the user's own (from any of their devices) included. */
  receipt: { roomId: string; userId: string; readSeq: number };
  roomEvent: RoomEvent;
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
  connect(): void;
  /** The phone moved to another network (Wi-Fi ↔ cellular): reconnect now and re-learn the heartbeat interval. */
  networkChanged(): void;
  /** Disconnects gracefully; pending sends reject with ERR_SDK_CLOSED. */
  close(): void;
  status(): ClientStatus;
  on<K extends keyof ChatClientEvents>(event: K, listener: (payload: ChatClientEvents[K]) => void): () => void;
  /**
   * Resolves with the seq once the platform acks; rejects with an SdkError on a final Nack. A string body goes
   * as UTF-8 with contentType 'text/plain' unless one is given. Sent while offline, it waits for the connection.
   */
  send(roomId: string, body: Uint8Array | string, options?: { contentType?: string }): Promise<SendResult>;
  /** Follows a room (optionally from the state the app stored); rooms are followed automatically with `followAllRooms`. */
  followRoom(roomId: string, state?: RoomState): void;
  rooms(): string[];
  /** The last seq delivered to the app in the room (0 for none). */
  lastSeq(roomId: string): number;
  typing(roomId: string): TypingSender;
  markRead(roomId: string, seq: number): void;
  /** Registers this device's push token, so the platform pushes to it while it is offline. */
  registerPushToken(registration: PushRegistration): Promise<void>;
  stats(): ClientStats;
}

export function createChatClient(deps: ChatClientDeps, options: ChatClientOptions): ChatClient {
  const { clock, random } = deps;
  const log = deps.log ?? (() => undefined);
  const { userId } = options;
  const getToken = tokenSource(options);
  const followAllRooms = options.followAllRooms ?? true;
  const emitter = createEmitter<ChatClientEvents>((event, error) => log('warn', { event, err: String(error) }, 'app listener threw'));
  const rest = createRestClient(
    { getToken },
    { apiUrl: options.apiUrl, ...(options.restTimeoutMs === undefined ? {} : { timeoutMs: options.restTimeoutMs }) },
  );
  let malformed = 0;
  // Adaptive by default (docs/mobile-realities.md#the-adaptive-heartbeat): starts at 4 min and
  // learns the network's NAT timeout.
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
      refreshRoom: (roomId, nackedVersion) => rooms.refresh(roomId, nackedVersion),
      newClientMsgId: () => globalThis.crypto.randomUUID(),
    },
    {
      ackTimeoutMs: options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS,
      retryBackoff: checkBackoffOptions('sendRetryBackoff', options.sendRetryBackoff ?? { baseMs: 1000, capMs: 60_000 }),
      maxOutstanding: options.maxOutstandingSends ?? DEFAULT_MAX_OUTSTANDING_SENDS,
    },
  );

  const inbound: InboundHandlers = {
    message: (message) => rooms.get(message.roomId)?.sync.offerLive(message),
    typing: (roomId, typing) => rooms.get(roomId)?.typingReceiver.receive(typing),
    receipt(roomId, receipt) {
      if (rooms.get(roomId) !== undefined) emitter.emit('receipt', { roomId, userId: receipt.userId, readSeq: receipt.readSeq });
    },
    roomEvent(event) {
      rooms.apply(event);
      emitter.emit('roomEvent', event);
    },
    ack: (ack) => void outbox.ack(ack),
    nack: (nack) => void outbox.nack(nack),
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

  return {
    connect: () => connection.connect(),
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
      return outbox.submit(roomId, bytes, sendOptions.contentType ?? (typeof body === 'string' ? 'text/plain' : ''));
    },
    followRoom: (roomId, state) => void rooms.followNamed(roomId, state),
    rooms: () => rooms.ids(),
    lastSeq: (roomId) => rooms.get(roomId)?.sync.lastSeq() ?? 0,
    typing: (roomId) => rooms.followNamed(roomId).typingSender(),
    markRead: (roomId, seq) => rooms.followNamed(roomId).markRead(seq),
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
