/** The REST control plane. */
export { buildApi } from './app.js';
export { apiLimits, type ApiDeps, type ApiLimits, type EventStreamLimits, type Publisher, type SendOutcome } from './deps.js';
export { apiConfig } from './config.js';
export { parseCorsOrigins } from './cors.js';
export { routeUpgrades } from './upgrades.js';
export { createDeviceLinks, type BrokerReach, type DeviceLinks } from './events/device-links.js';
export { API_ERRORS, type ApiErrorCode } from './errors.js';
export { createTokenBucketLimiter, type RateLimiter } from './rate-limiter.js';
