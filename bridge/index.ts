/** The bridge: sequences device sends into the store and answers them (docs/durable-path.md#the-durable-path). */
export {
  createSendPipeline,
  sendPipelineOptions,
  type SendPipeline,
  type SendPipelineDeps,
  type SendPipelineOptions,
} from './send-pipeline.js';
export { createBatcher, type Batcher } from './batcher.js';
export { createCircuitBreaker, type BreakerState, type CircuitBreaker } from './circuit-breaker.js';
export type { BrokerPort, Sender, SendConsumer } from './broker-port.js';
export { connectMqttBrokerPort, type MqttPortOptions } from './mqtt-port.js';
export { createDeliveryWriter, createReceiptWriter, type DeliveryWriter, type ReceiptWriter } from './receipt-writer.js';
export { createMarkWriter, type MarkWriter } from './mark-writer.js';
