/**
 * What an app passes to `createChatClient`: where the platform is and who the device is
 * (required), tuning with defaults (optional, milliseconds in every name), and the injected
 * dependencies, which default to the real clock, Math.random and Web Crypto so an app passes
 * none; tests and the simulator inject fakes.
 */
import type { BackoffOptions } from './backoff.js';
import { realClock, type Clock } from './clock.js';
import type { HeartbeatPolicy } from './heartbeat/heartbeat-policy.js';
import { createIdSource } from './ids.js';
import { HISTORY_PAGE_LIMIT } from './rest.js';
import type { TransportMode } from './transport-policy.js';

export type LogLevel = 'info' | 'warn';

export interface ChatClientDeps {
  /** Default: the real clock (`performance.now()` and the global timers). */
  clock: Clock;
  /** [0, 1), like Math.random (the default): backoff jitter. */
  random: () => number;
  /** Default: silent. */
  log: (level: LogLevel, fields: Record<string, unknown>, message: string) => void;
  /** Default: random UUIDs from Web Crypto (see ids.ts). */
  newClientMsgId: () => string;
}

export interface ChatClientOptions {
  /** `ws://host:8083/mqtt` or `wss://…` (browsers), `mqtt://host:1883` too in Node. */
  mqttUrl: string;
  /** `http://host:3000`: the REST API (rooms, history, presence). */
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
  /** Rooms per GET /v1/rooms page when listing the user's rooms on connect (default: the API's maximum, 500). */
  roomsPageLimit?: number;
  heartbeat?: HeartbeatPolicy;
  keepaliveSeconds?: number;
  pingTimeoutMs?: number;
  /** Follow every room of the user (GET /v1/rooms on each connect, and RoomEvents in the inbox); default true. */
  followAllRooms?: boolean;
  /**
   * A room the client follows with nothing of it yet (no stored `lastSeq`) delivers only its
   * newest this-many messages (at most 500, one history page), then everything after them;
   * older ones come from `loadOlder()`. Default: all of its history, from seq 1.
   */
  initialHistoryLimit?: number;
  /**
   * `auto`: MQTT, falling back to Server-Sent Events + HTTP POST (the platform's /v1/events) when
   * MQTT looks blocked, and back to MQTT when it works again; `mqtt` or `sse`: that one only.
   * Default: `auto` for ws:// and wss:// URLs (proxies block WebSockets), `mqtt` for mqtt:// and tcp://.
   */
  transport?: TransportMode;
  /** MQTT attempts in a row that fail before CONNACK before the next one is SSE (default 2). */
  sseFallbackAfterFailures?: number;
  /** On the SSE fallback, how often MQTT is tried again (default 120 s). */
  mqttProbeIntervalMs?: number;
}

export function resolveDeps(deps: Partial<ChatClientDeps>): ChatClientDeps {
  const random = deps.random ?? Math.random;
  return {
    clock: deps.clock ?? realClock,
    random,
    log: deps.log ?? (() => undefined),
    newClientMsgId: deps.newClientMsgId ?? createIdSource(random),
  };
}

/** Throws a RangeError naming the bad option; called once when a client is created. */
/** The transport mode an app gets when it names none. */
export const defaultTransportMode = (mqttUrl: string): TransportMode => (/^wss?:\/\//i.test(mqttUrl) ? 'auto' : 'mqtt');

export function checkOptions(options: ChatClientOptions): void {
  const limit = options.initialHistoryLimit;
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit > 0 && limit <= HISTORY_PAGE_LIMIT)) {
    throw new RangeError(`initialHistoryLimit must be an integer from 1 to ${HISTORY_PAGE_LIMIT} (one history page), got ${limit}`);
  }
  const probeMs = options.mqttProbeIntervalMs;
  if (probeMs !== undefined && !(Number.isFinite(probeMs) && probeMs >= 1000)) {
    throw new RangeError(`mqttProbeIntervalMs must be at least 1000, got ${probeMs}`);
  }
  if (options.transport !== undefined && !['auto', 'mqtt', 'sse'].includes(options.transport)) {
    throw new RangeError(`transport must be auto, mqtt or sse, got ${String(options.transport)}`);
  }
}
