/**
 * The push folder's public door: the provider seam the worker sends through, the APNs and FCM
 * clients that implement it, and the worker. (The local stubs of both providers are development
 * infrastructure: push-stubs/.)
 */
export type { PushMessage, PushOutcome, PushPlatform, PushProvider } from './provider.js';

export { createApnsProvider, type ApnsProviderDeps, type ApnsProviderOptions } from './apns/apns-provider.js';
export { APNS_JWT_MIN_REFRESH_INTERVAL_MS, APNS_JWT_REFRESH_AFTER_MS } from './apns/apns-jwt.js';
export { createFcmProvider, type FcmProviderDeps, type FcmProviderOptions } from './fcm/fcm-provider.js';
export { ACCESS_TOKEN_REFRESH_MARGIN_MS, FCM_SCOPE, type FcmServiceAccount } from './fcm/fcm-oauth.js';

// The worker that turns committed messages and reads into pushes (outbox, deliveries, retractions).
export { startPushWorker, type PushWorker, type PushWorkerDeps, type PushWorkerOptions } from './worker.js';
export type { PushSettled } from './drainer.js';
export type { PlanResult } from './outbox-planner.js';
export { messageDedupKey, retractDedupKey, collapseKeyOf, previewOf, PREVIEW_MAX_CHARS } from './payload.js';
export { retryDelayMs, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
