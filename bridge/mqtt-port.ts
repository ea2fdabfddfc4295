import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from '../lib/log.js';
import { ALL_SEND_TOPICS, parseTopic } from '../schema/index.js';
import type { BrokerPort, SendConsumer } from './broker-port.js';

export interface MqttPortOptions {
  url: string;
  /** Stable with a persistent session, so the broker keeps the bridge's session (and queues sends) while it is away. */
  clientId: string;
  /** True for a consumer of sends (the bridge); a publisher only (the api) needs no session. */
  persistentSession: boolean;
  username?: string;
  password?: string;
  /** Sends being processed before the adapter stops acknowledging new ones (backpressure). */
  maxInFlight: number;
  /** What it subscribes to for sends: every send topic (the default), or a shared subscription to them (`sharedSendFilter`). */
  sendFilter?: string;
  log: Logger;
}

/**
 * The bridge on an external broker (Mosquitto, another Aedes node): a persistent MQTT session
 * subscribed to every send topic at QoS 1.
 *
 * MQTT.js handles incoming packets one at a time and writes the PUBACK when `handleMessage`
 * calls back, so waiting for the commit there would make every batch one message long. The
 * adapter therefore acks as soon as a send is queued, and waits only when `maxInFlight` sends
 * are pending. That is safe because with an external broker the end-to-end receipt is the
 * inbox Ack, which devices retry for (docs/durable-path.md#what-a-puback-means); the persistent
 * session still makes the broker hold sends published while the bridge is down.
 */
/**
 * The send topics as a shared subscription of `group` (MQTT 5 §4.8.2, which EMQX and Mosquitto
 * also honour for MQTT 3.1.1 clients): the broker hands each send to one member of the group, so
 * any number of bridges share the load. Per-room order does not depend on which bridge takes a
 * send: each commits under its room's row lock, so seqs stay gapless across processes
 * (docs/durable-path.md).
 */
export const sharedSendFilter = (group: string): string => `$share/${group}/${ALL_SEND_TOPICS}`;

export async function connectMqttBrokerPort(options: MqttPortOptions): Promise<BrokerPort> {
  const clientOptions: IClientOptions = {
    clientId: options.clientId,
    clean: !options.persistentSession,
    protocolVersion: 4,
    reconnectPeriod: 1000,
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
  };
  // Not connectAsync: the handler must be in place before CONNACK, because a resumed session
  // delivers the sends queued while the bridge was away right after it.
  const client: MqttClient = mqtt.connect(options.url, clientOptions);
  client.on('error', (error) => options.log.warn({ err: error.message }, 'bridge mqtt error'));
  client.on('reconnect', () => options.log.info('bridge reconnecting to broker'));
  let consumer: SendConsumer | undefined;
  let inFlight = 0;
  const waiters: (() => void)[] = [];
  /** Sends that arrived before `consumeSends`: held, unacknowledged, until there is a consumer. */
  const early: { packet: Parameters<MqttClient['handleMessage']>[0]; done: () => void }[] = [];

  client.handleMessage = (packet, done) => {
    if (consumer === undefined) {
      early.push({ packet, done });
      return;
    }
    take(consumer, packet, done);
  };

  function take(accept: SendConsumer, packet: Parameters<MqttClient['handleMessage']>[0], done: () => void): void {
    const topic = parseTopic(packet.topic);
    if (topic?.kind !== 'send') return done();
    inFlight += 1;
    void accept({ userId: topic.userId, deviceId: '' }, packet.payload as Buffer)
      .catch((error: unknown) => options.log.error({ err: (error as Error).message }, 'send failed; the device will retry'))
      .finally(() => {
        inFlight -= 1;
        waiters.shift()?.();
      });
    if (inFlight < options.maxInFlight) return done();
    waiters.push(done);
  }

  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });

  return {
    async publish(topic, payload, publishOptions) {
      await client.publishAsync(topic, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), {
        qos: publishOptions.qos,
        retain: publishOptions.retain ?? false,
      });
    },
    async consumeSends(newConsumer) {
      consumer = newConsumer;
      for (const { packet, done } of early.splice(0)) take(newConsumer, packet, done);
      const granted = await client.subscribeAsync(options.sendFilter ?? ALL_SEND_TOPICS, { qos: 1 });
      // A refused filter is SUBACK 0x80 (128): without this check the bridge would wait forever for sends.
      if (granted.some((grant) => grant.qos === 128)) throw new Error(`the broker refused the subscription to ${granted[0]?.topic}`);
    },
    async close() {
      await client.endAsync();
    },
  };
}
