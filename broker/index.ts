/** The MQTT broker: Aedes with auth, ACL, forward guard, on TCP and WebSocket (and TLS). */
export { createBroker, type BrokerDeps, type BrokerOptions, type PlatformBroker, type PublishOptions } from './broker.js';
export type { BrokerSinks, DeliverySink, DeviceRef, ReceiptSink, SendSink } from './sinks.js';
export { retainedMessages } from './aedes-internals.js';
export { SERVICE_USERNAME } from './identity.js';
export { MQTT_WS_PATH } from './listeners.js';
