/**
 * A connection to the broker as one device, for the event stream (GET /v1/events) that stands in
 * for the device's own MQTT connection when WebSockets are blocked. It is a real MQTT session
 * with the device's client id and a token for the same device and expiry, so the broker treats
 * it exactly as the device: CONNECT authentication, the topic ACL on every SUBSCRIBE and
 * PUBLISH, the forward guard on every delivery, the rate limits, presence (online while the
 * stream is open, the Will says offline), and takeover (the device's next connection, over
 * WebSocket or another stream, replaces it). Nothing of the broker's rules is repeated here.
 *
 * The all-in-one platform reaches its embedded broker through an in-memory stream; a standalone
 * API (`npm run api`) through BROKER_URL.
 */
import type { Duplex } from 'node:stream';
import mqtt, { MqttClient, type IClientOptions, type ISubscriptionGrant } from 'mqtt';
import { deviceClientId, devicePresenceTopic, encodeDeviceStatus } from '../../schema/index.js';

export interface DeviceLink {
  /** SUBACK return codes, in order (0x80: refused by the ACL). */
  subscribe(topics: readonly string[]): Promise<number[]>;
  unsubscribe(topics: readonly string[]): Promise<void>;
  publish(topic: string, payload: Uint8Array, qos: 0 | 1): Promise<void>;
  /** Ends the session without DISCONNECT: the Will (the device offline) goes out. */
  close(): void;
}

export interface DeviceLinkHandlers {
  /** A delivery; it is acknowledged (PUBACK) once this returns. */
  message(topic: string, payload: Uint8Array): void;
  /** The broker ended the link (another connection of the device took over, the token expired, the broker closed). Not after close(). */
  ended(reason: string): void;
}

/** The broker refused the CONNECT (`returnCode`), or did not answer. */
export class LinkRefusedError extends Error {
  constructor(
    readonly returnCode: number | undefined,
    message: string,
  ) {
    super(message);
  }
}

export interface DeviceLinks {
  /** Resolves once the broker accepted the session (CONNACK 0); rejects with LinkRefusedError otherwise. */
  open(device: { userId: string; deviceId: string; token: string }, handlers: DeviceLinkHandlers): Promise<DeviceLink>;
}

export type BrokerReach = { url: string } | { connect(): Duplex };

/** Keepalive of a link: the broker refuses 0, and a remote broker should notice a dead API node. */
const LINK_KEEPALIVE_SECONDS = 60;
const SUBACK_FAILURE = 0x80;

export function createDeviceLinks(reach: BrokerReach, options: { connectTimeoutMs: number; heartbeatMs: number }): DeviceLinks {
  return {
    open(device, handlers) {
      const clientOptions: IClientOptions = {
        clientId: deviceClientId(device.userId, device.deviceId),
        username: device.userId,
        password: device.token,
        protocolVersion: 4,
        clean: true,
        keepalive: LINK_KEEPALIVE_SECONDS,
        reconnectPeriod: 0, // a lost link ends the stream; the client opens a new one
        connectTimeout: options.connectTimeoutMs,
        resubscribe: false,
        queueQoSZero: false,
        will: {
          topic: devicePresenceTopic(device.userId, device.deviceId),
          payload: Buffer.from(encodeDeviceStatus({ online: false, heartbeatMs: 0 })),
          qos: 1,
          retain: true,
        },
      };
      const client = 'url' in reach ? mqtt.connect(reach.url, clientOptions) : new MqttClient(() => reach.connect(), clientOptions);
      return new Promise<DeviceLink>((resolve, reject) => {
        let accepted = false;
        let closedByUs = false;
        let refusal: number | undefined;
        client.on('packetreceive', (packet) => {
          if (packet.cmd === 'connack' && packet.returnCode !== 0) refusal = packet.returnCode;
        });
        client.on('error', () => undefined); // 'close' follows and says what happened
        client.on('message', (topic, payload) =>
          handlers.message(topic, new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength)),
        );
        client.on('close', () => {
          if (!accepted) {
            client.end(true);
            reject(new LinkRefusedError(refusal, refusal === undefined ? 'the broker did not accept the link' : `CONNACK ${refusal}`));
          } else if (!closedByUs) {
            closedByUs = true;
            client.end(true);
            handlers.ended('the broker closed the session');
          }
        });
        client.once('connect', () => {
          accepted = true;
          // What the device itself says after CONNACK (see the SDK's connection loop): online, retained.
          const online = encodeDeviceStatus({ online: true, heartbeatMs: options.heartbeatMs });
          client.publish(clientOptions.will!.topic, Buffer.from(online), { qos: 1, retain: true }, () => undefined);
          resolve({
            async subscribe(topics) {
              try {
                const granted: ISubscriptionGrant[] = await client.subscribeAsync([...topics], { qos: 1 });
                return granted.map((g) => g.qos);
              } catch (error) {
                // MQTT.js rejects when a filter is refused; the SUBACK it rejects with says which.
                const codes = (error as { packet?: { granted?: unknown } }).packet?.granted;
                if (Array.isArray(codes)) return codes.map((code) => (typeof code === 'number' ? code : SUBACK_FAILURE));
                throw error;
              }
            },
            async unsubscribe(topics) {
              await client.unsubscribeAsync([...topics]);
            },
            async publish(topic, payload, qos) {
              await client.publishAsync(topic, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), { qos });
            },
            close() {
              if (closedByUs) return;
              closedByUs = true;
              client.end(true);
            },
          });
        });
      });
    },
  };
}
