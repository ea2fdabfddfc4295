import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from '../lib/log.js';
import { ALL_SEND_TOPICS, parseTopic } from '../schema/topics.js';
import type { BrokerPort, SendConsumer } from './broker-port.js';

export interface MqttPortOptions {
  url: string;
  /** Stable, so the broker keeps the bridge's session (and queues sends) while it is away. */
  clientId: string;
  username?: string;
  password?: string;
  /** Sends being processed before the adapter stops acknowledging new ones (backpressure). */
  maxInFlight: number;
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
 * inbox Ack, which devices retry for (DESIGN §6 step 4); the persistent session still makes
 * the broker hold sends published while the bridge is down.
 */
export async function connectMqttBrokerPort(options: MqttPortOptions): Promise<BrokerPort> {
  const clientOptions: IClientOptions = {
    clientId: options.clientId,
    clean: false,
    protocolVersion: 4,
    reconnectPeriod: 1000,
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
  };
  const client: MqttClient = await mqtt.connectAsync(options.url, clientOptions);
  client.on('error', (error) => options.log.warn({ err: error.message }, 'bridge mqtt error'));
  client.on('reconnect', () => options.log.info('bridge reconnecting to broker'));
  let consumer: SendConsumer | undefined;
  let inFlight = 0;
  const waiters: (() => void)[] = [];

  client.handleMessage = (packet, done) => {
    const topic = parseTopic(packet.topic);
    if (consumer === undefined || topic?.kind !== 'send') return done();
    inFlight += 1;
    void consumer({ userId: topic.userId, deviceId: '' }, packet.payload as Buffer)
      .catch((error: unknown) => options.log.error({ err: (error as Error).message }, 'send failed; the device will retry'))
      .finally(() => {
        inFlight -= 1;
        waiters.shift()?.();
      });
    if (inFlight < options.maxInFlight) return done();
    waiters.push(done);
  };

  return {
    async publish(topic, payload, publishOptions) {
      await client.publishAsync(topic, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), { qos: publishOptions.qos });
    },
    async consumeSends(newConsumer) {
      consumer = newConsumer;
      await client.subscribeAsync(ALL_SEND_TOPICS, { qos: 1 });
    },
    async close() {
      await client.endAsync();
    },
  };
}
