/**
 * One phone of the herd: the SDK's own connection loop (`sdk/src/connection.ts`: the
 * reconnect state machine, backoff, presence and Will, subscriptions on connect), observed
 * through its status transitions. Only the retry policy is the benchmark's: the SDK's full
 * jitter, or an immediate retry without any.
 */
import {
  createFixedHeartbeat,
  DEFAULT_BACKOFF_BASE_MS,
  DEFAULT_BACKOFF_CAP_MS,
  DEFAULT_KEEPALIVE_SECONDS,
  DEFAULT_PING_TIMEOUT_MS,
  realClock,
  type BackoffOptions,
  type ClientStatus,
} from '@mqtt-chat/sdk';
// The SDK's own connection loop, below its public door: the herd measures exactly what apps run.
import { createConnection, type Connection } from '../sdk/src/connection.js';
import { openMqttSession, SUBACK_FAILURE } from '../sdk/src/mqtt-session.js';
import { createTransportPolicy } from '../sdk/src/transport-policy.js';
import { decodeInboxItem, encodeSend, inboxTopic, roomTopic, sendTopic } from '../schema/index.js';
import type { HerdClientSpec, RetryPolicy } from './reconnect-protocol.js';

/** The SDK's default; immediate: zero delay on every retry (backoffDelayMs gives min(0, 0·2^n) = 0). */
export const BACKOFF: Record<RetryPolicy, BackoffOptions> = {
  jitter: { baseMs: DEFAULT_BACKOFF_BASE_MS, capMs: DEFAULT_BACKOFF_CAP_MS, jitter: 'full' },
  immediate: { baseMs: 0, capMs: 0, jitter: 'none' },
};

/** What a herd client tells its worker; times are epoch ms, comparable across processes. */
export interface HerdEvents {
  /** A CONNECT goes out at `atMs` (after the backoff the SDK chose). */
  attempt(atMs: number): void;
  back(atMs: number): void;
  lost(atMs: number, reason: string): void;
  /** An attempt failed: refused with a CONNACK code, or (undefined) without one; `why` is the SDK's code for it. */
  failed(returnCode: number | undefined, why: string): void;
  gaveUp(reason: string): void;
  ackReceived(clientMsgId: string, atMs: number): void;
}

export interface HerdClient {
  readonly spec: HerdClientSpec;
  isConnected(): boolean;
  /** Publishes a Send from a live session; false when there is none. */
  probe(clientMsgId: string): boolean;
  close(): void;
}

const CONNACK_CODE = /CONNACK (\d+)/;
/** The SDK names a refusal's return code in its status reason ("CONNACK 3: server unavailable"). */
const connackCode = (reason: string): number | undefined => {
  const code = CONNACK_CODE.exec(reason)?.[1];
  return code === undefined ? undefined : Number(code);
};

export function createHerdClient(
  spec: HerdClientSpec,
  options: { mqttUrl: string; stableAfterMs: number; connectTimeoutMs: number; random: () => number; backoff: BackoffOptions },
  events: HerdEvents,
): HerdClient {
  let previous: ClientStatus['state'] = 'disconnected';
  const inbox = inboxTopic(spec.userId);
  const connection: Connection = createConnection(
    {
      clock: realClock,
      random: options.random,
      // MQTT only: the herd measures the broker's side of a reconnect storm, not the SSE fallback.
      transports: createTransportPolicy({ mode: 'mqtt', fallbackAfterFailures: 1 }),
      openSession: (_transport, request, handlers) => openMqttSession({ clock: realClock }, { url: options.mqttUrl, ...request }, handlers),
    },
    {
      userId: spec.userId,
      deviceId: spec.deviceId,
      getToken: () => Promise.resolve(spec.token),
      keepaliveSeconds: DEFAULT_KEEPALIVE_SECONDS,
      connectTimeoutMs: options.connectTimeoutMs,
      // Read at every retry: the worker switches the policy between rounds by changing this object.
      backoff: options.backoff,
      stableAfterMs: options.stableAfterMs,
      pingTimeoutMs: DEFAULT_PING_TIMEOUT_MS,
      heartbeat: createFixedHeartbeat(240_000),
      probeIntervalMs: Number.MAX_SAFE_INTEGER,
    },
    {
      // What the SDK does on every connect: its inbox, and the rooms it follows.
      async ready(session) {
        const granted = await session.subscribe([inbox, roomTopic(spec.roomId)], 1);
        if (granted.includes(SUBACK_FAILURE)) throw new Error('a subscription was refused');
      },
      message(topic, payload) {
        if (topic !== inbox) return;
        const item = decodeInboxItem(payload);
        if ('ack' in item) events.ackReceived(item.ack.clientMsgId, Date.now());
      },
      down: () => undefined,
      status(status) {
        const now = Date.now();
        if (status.state === 'connecting') {
          if (previous === 'connected') events.lost(now, `${status.code}: ${status.reason}`);
          else if (status.code !== 'connect') events.failed(connackCode(status.reason), status.code);
          // NaN once 2^attempt overflows under the zero-delay policy (0 · Infinity); a timer treats it as immediate.
          events.attempt(now + (Number.isFinite(status.delayMs) ? status.delayMs : 0));
        } else if (status.state === 'connected') events.back(now);
        else if (status.code !== 'closed' && status.code !== 'idle') {
          events.failed(connackCode(status.reason), status.code);
          events.gaveUp(status.reason);
        }
        previous = status.state;
      },
    },
  );
  connection.connect();
  return {
    spec,
    isConnected: () => connection.status().state === 'connected',
    probe(clientMsgId) {
      const session = connection.session();
      if (session === undefined || connection.status().state !== 'connected') return false;
      const payload = encodeSend({
        roomId: spec.roomId,
        clientMsgId,
        roomVersion: spec.roomVersion,
        body: new TextEncoder().encode('probe'),
        contentType: 'text/plain',
      });
      session.publish(sendTopic(spec.userId), payload, { qos: 1 });
      return true;
    },
    close: () => connection.close(),
  };
}
