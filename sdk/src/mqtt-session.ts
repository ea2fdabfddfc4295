/**
 * One MQTT connection through MQTT.js, the only file that knows MQTT.js. A session lives from
 * CONNECT to its end and is never reconnected: the connection loop (`connection.ts`) opens a new
 * one with a fresh token after a backoff, so MQTT.js's own reconnect and offline queues stay
 * off and the SDK's outbox is the only thing that resends.
 *
 * The heartbeat (docs/mobile-realities.md#the-adaptive-heartbeat) needs to send a PINGREQ on its
 * own schedule and to see the PINGRESP. MQTT.js 5 offers both without reaching into its internals:
 * `sendPing()` is public and writes the PINGREQ through `_sendPacket` exactly as its
 * KeepaliveManager does, and every parsed packet is emitted as 'packetreceive' (a PINGRESP has no
 * event of its own); 'packetsend' fires for every packet written; with 'packetreceive' that is the
 * traffic the heartbeat measures quiet from. The alternatives are worse: writing a generated
 * PINGREQ to `client.stream` bypasses 'packetsend', and MQTT.js's keepalive is fixed at CONNECT
 * (the broker then drops the client after 1.5x it), so it cannot adapt. With a long keepalive,
 * MQTT.js's KeepaliveManager stays as a backstop that never fires while our pings succeed (each
 * PINGRESP reschedules it).
 */
import mqtt, { type ISubscriptionGrant, type MqttClient, type Packet } from 'mqtt';
import type { Clock, TimerHandle } from './clock.js';
import type { SessionEnd } from './reconnect-policy.js';

export interface SessionOptions {
  /** `mqtt://host:port` or `ws://host:port/mqtt`. */
  url: string;
  clientId: string;
  username: string;
  password: string;
  keepaliveSeconds: number;
  connectTimeoutMs: number;
  will: { topic: string; payload: Uint8Array };
}

export interface SessionHandlers {
  connected(): void;
  message(topic: string, payload: Uint8Array): void;
  /** Any packet written: outbound activity. */
  packetSent(): void;
  /** Any packet read: proof the path works. */
  packetReceived(): void;
  pingResponse(): void;
  /** Called exactly once, whether the session never connected, was refused, or was lost. */
  ended(end: SessionEnd): void;
}

/** SUBACK return code for a refused filter [MQTT-3.9.3]. */
export const SUBACK_FAILURE = 0x80;

export interface MqttSession {
  /** `sse`: the HTTP fallback (sse-session.ts) behind the same interface; it keeps itself alive, so it needs no pings. */
  readonly transport: 'mqtt' | 'sse';
  publish(topic: string, payload: Uint8Array, options: { qos: 0 | 1; retain?: boolean }): void;
  /** Resolves with the SUBACK return code of each topic, in order (0x80 = refused). */
  subscribe(topics: readonly string[], qos: 0 | 1): Promise<number[]>;
  unsubscribe(topics: readonly string[]): void;
  ping(): void;
  /**
   * Ends the session and reports `end`. `graceful` sends DISCONNECT first, so the broker
   * discards the Will; otherwise the socket is destroyed and the Will goes out.
   */
  end(end: SessionEnd, graceful?: boolean): void;
}

const CONNACK_ACCEPTED = 0;

export function openMqttSession(deps: { clock: Clock }, options: SessionOptions, handlers: SessionHandlers): MqttSession {
  const client: MqttClient = mqtt.connect(options.url, {
    clientId: options.clientId,
    username: options.username,
    password: options.password,
    protocolVersion: 4, // Aedes speaks 3.1.1 only (docs/architecture.md#stack-notes)
    clean: true, // devices recover by gap-fill, not broker sessions (docs/durable-path.md#ordering-and-gap-fill)
    keepalive: options.keepaliveSeconds,
    reconnectPeriod: 0, // the connection loop owns reconnection, with jittered backoff
    // Our own timer below decides; MQTT.js's is only a backstop.
    connectTimeout: options.connectTimeoutMs * 2,
    queueQoSZero: false,
    resubscribe: false,
    will: { topic: options.will.topic, payload: asMqttPayload(options.will.payload), qos: 1, retain: true },
  });
  // Nagle's algorithm holds a small packet back until the previous one is acknowledged, and the
  // receiver may delay that acknowledgement by up to 40 ms (Linux) or 200 ms (some stacks): a
  // PUBACK, a typing signal or a send right after another would wait for it. Every packet here
  // is small and wanted now. MQTT.js leaves the option at Node's default (off); over WebSocket
  // the ws library sets it itself, and a browser decides on its own, hence the feature check.
  // (No import of node:net: the SDK also runs in browsers.)
  const stream = client.stream as { setNoDelay?: unknown } | undefined;
  if (typeof stream?.setNoDelay === 'function') (stream as { setNoDelay(noDelay: boolean): void }).setNoDelay(true);
  let ended = false;
  let connected = false;
  let cause: SessionEnd | undefined;

  // A PUBACK tells the platform this device has the message, and it then sends no push for it
  // (docs/push.md#who-is-pushed-and-when). MQTT.js emits 'message' and then acknowledges once
  // handleMessage calls back without an error, so only deliveries handed to the SDK are
  // acknowledged: one read after the session ended (the app is closing) is dropped unacknowledged,
  // and the platform pushes it and the next session's gap-fill fetches it. (customHandleAcks would
  // say this more directly, but MQTT.js honours it on MQTT 5 only.)
  const handedOn = new WeakSet<Packet>();
  client.handleMessage = (packet, callback) =>
    callback(handedOn.delete(packet) ? undefined : new Error('delivery not handed to the app: not acknowledged'));

  const connectTimer: TimerHandle = deps.clock.setTimeout(() => end({ kind: 'connectTimeout' }), options.connectTimeoutMs);

  function end(reason: SessionEnd, graceful = false): void {
    if (ended) return;
    ended = true;
    deps.clock.clearTimeout(connectTimer);
    client.end(!graceful);
    handlers.ended(reason);
  }

  client.on('connect', () => {
    connected = true;
    deps.clock.clearTimeout(connectTimer);
    if (!ended) handlers.connected();
  });
  client.on('packetreceive', (packet: Packet) => {
    handlers.packetReceived();
    if (packet.cmd === 'pingresp') handlers.pingResponse();
    else if (packet.cmd === 'connack' && packet.returnCode !== undefined && packet.returnCode !== CONNACK_ACCEPTED) {
      cause = { kind: 'refused', returnCode: packet.returnCode };
    }
  });
  client.on('packetsend', () => handlers.packetSent());
  client.on('message', (topic, payload, packet) => {
    if (ended) return;
    handedOn.add(packet);
    // A plain Uint8Array view: decoded bytes fields then come out as Uint8Array, as the REST path's do.
    handlers.message(topic, new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength));
  });
  // MQTT.js emits 'error' for socket errors and refusals; without a listener Node would throw.
  client.on('error', (error: Error) => {
    cause ??= { kind: 'network', message: error.message };
  });
  client.on('close', () => end(cause ?? { kind: 'network', message: connected ? 'connection closed' : 'closed before CONNACK' }));

  return {
    transport: 'mqtt',
    publish(topic, payload, publishOptions) {
      if (ended) return;
      // Errors (a socket closing under the write) end the session through 'close'; the outbox resends.
      client.publish(topic, asMqttPayload(payload), { qos: publishOptions.qos, retain: publishOptions.retain ?? false }, () => undefined);
    },
    async subscribe(topics, qos) {
      try {
        const granted: ISubscriptionGrant[] = await client.subscribeAsync(
          topics.map((topic) => topic),
          { qos },
        );
        return granted.map((g) => g.qos);
      } catch (error) {
        // MQTT.js rejects when any filter is refused; the SUBACK it rejects with says which.
        const refused = (error as { packet?: { granted?: unknown } }).packet?.granted;
        if (Array.isArray(refused)) return refused.map((code) => (typeof code === 'number' ? code : SUBACK_FAILURE));
        throw error;
      }
    },
    unsubscribe(topics) {
      if (!ended) client.unsubscribe([...topics]);
    },
    ping() {
      if (connected && !ended) client.sendPing();
    },
    end,
  };
}

/** What MQTT.js's types ask for: `string | Buffer`. */
type MqttPayload = Parameters<MqttClient['publish']>[1];

/**
 * Our bytes as MQTT.js's payload, without Node's Buffer (phones and browsers have none). Its
 * types say Buffer, but mqtt-packet only measures the payload (`Buffer.byteLength` and `length`
 * take any Uint8Array, in Node and in the browser build's polyfill) and writes it to the stream,
 * which takes a Uint8Array as well; the bytes go out as they are, no copy.
 */
function asMqttPayload(bytes: Uint8Array): MqttPayload {
  return bytes as MqttPayload;
}
