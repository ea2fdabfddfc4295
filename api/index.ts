/** The REST control plane. */
export { buildApi } from './app.js';
export { apiLimits, type ApiDeps, type ApiLimits, type Publisher, type SendOutcome } from './deps.js';
export { API_ERRORS, type ApiErrorCode } from './errors.js';
export { createTokenBucketLimiter, type RateLimiter } from './rate-limiter.js';
