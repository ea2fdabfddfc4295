/**
 * The bridge's only view of a broker: publish, and consume device sends. Two adapters:
 * in-process Aedes (`in-process-port.ts`) and an MQTT client for an external broker (`mqtt-port.ts`).
 */
export interface Sender {
  userId: string;
  /** Empty when the transport cannot tell (an external broker). */
  deviceId: string;
}

/** Resolves once the send is settled (committed, or answered with a Nack); only then may the transport ack it. */
export type SendConsumer = (sender: Sender, payload: Uint8Array) => Promise<void>;

export interface BrokerPort {
  publish(topic: string, payload: Uint8Array, options: { qos: 0 | 1 }): Promise<void>;
  consumeSends(consumer: SendConsumer): Promise<void>;
  close(): Promise<void>;
}
