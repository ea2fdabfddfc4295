import type { BrokerPort, SendConsumer } from './broker-port.js';

/** The part of the platform broker the in-process adapter needs (structural: no import of broker internals). */
export interface InProcessBroker {
  setSendHandler(handler: SendConsumer): void;
  publish(topic: string, payload: Uint8Array, options: { qos: 0 | 1 }): Promise<void>;
}

/**
 * Sends are taken inside the broker's publish authorisation, so the device's PUBACK is
 * written only after the consumer settles: with this adapter a PUBACK means committed.
 */
export function inProcessBrokerPort(broker: InProcessBroker): BrokerPort {
  return {
    publish: (topic, payload, options) => broker.publish(topic, payload, options),
    async consumeSends(consumer) {
      broker.setSendHandler(consumer);
    },
    async close() {
      // The broker's lifecycle belongs to whoever started it.
    },
  };
}
