/**
 * The bridge on a broker it reaches over MQTT (`mqtt-port.ts`: another process, or any MQTT 3.1.1
 * broker): publish, and consume device sends. In-process, the broker hands sends to the send
 * pipeline itself (its `send` sink) and needs no port.
 */
import type { Publisher } from '../lib/publisher.js';

export interface Sender {
  userId: string;
  /** Empty when the transport cannot tell (an external broker). */
  deviceId: string;
}

/** Resolves once the send is settled (committed, or answered with a Nack); only then may the transport ack it. */
export type SendConsumer = (sender: Sender, payload: Uint8Array) => Promise<unknown>;

export interface BrokerPort extends Publisher {
  consumeSends(consumer: SendConsumer): Promise<void>;
  close(): Promise<void>;
}
