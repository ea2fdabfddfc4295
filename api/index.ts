/** The REST control plane. */
export { buildApi } from './app.js';
export { apiLimits, type ApiDeps, type ApiLimits, type EventStreamLimits } from './deps.js';
export { apiConfig } from './config.js';
export { parseCorsOrigins } from './cors.js';
export { routeUpgrades } from './upgrades.js';
export { createDeviceLinks, type BrokerReach, type DeviceLinks } from './events/device-links.js';
export { API_ERRORS, type ApiErrorCode } from './errors.js';
export type { ExternalBrokerDeps } from './deps.js';
export { BROKER_HOOK_PATHS } from './routes/broker-hooks.js';
export { BrokerAdminError, type BrokerAdmin } from './broker-admin.js';
export { createEmqxAdmin, DEFAULT_EMQX_REQUEST_TIMEOUT_MS, type EmqxAdminOptions } from './emqx-admin.js';
