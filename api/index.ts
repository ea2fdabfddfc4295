/** The REST control plane. */
export { buildApi } from './app.js';
export { apiLimits, type ApiDeps, type ApiLimits, type EventStreamLimits } from './deps.js';
export { apiConfig } from './config.js';
export { parseCorsOrigins } from './cors.js';
export { routeUpgrades } from './upgrades.js';
export { createDeviceLinks, type BrokerReach, type DeviceLinks } from './events/device-links.js';
export { API_ERRORS, type ApiErrorCode } from './errors.js';
