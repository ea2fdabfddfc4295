/** The MQTT broker: Aedes with auth, ACL, forward guard, on TCP and WebSocket. */
export { startBroker, type BrokerDeps, type BrokerOptions, type PlatformBroker, type PublishOptions } from './broker.js';
export type { DeliveryHandler, ReceiptHandler, SendHandler } from './aedes-hooks.js';
export { SERVICE_USERNAME } from './identity.js';
export { MQTT_WS_PATH } from './listeners.js';
