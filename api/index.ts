/** The REST control plane. */
export { buildApi } from './app.js';
export { apiLimits, type ApiDeps, type ApiLimits } from './deps.js';
export { API_ERRORS, type ApiErrorCode } from './errors.js';
