/**
 * The push folder's public door: the provider seam the worker sends through, the APNs and FCM
 * clients that implement it, and the local stubs that speak both providers' wire APIs.
 */
export type { PushMessage, PushOutcome, PushPlatform, PushProvider } from './provider.js';
export { systemClock, type WallClock } from './wall-clock.js';

export { createApnsProvider, type ApnsProviderDeps, type ApnsProviderOptions } from './apns/apns-provider.js';
export { APNS_JWT_MIN_REFRESH_INTERVAL_MS, APNS_JWT_REFRESH_AFTER_MS } from './apns/apns-jwt.js';
export { createFcmProvider, type FcmProviderDeps, type FcmProviderOptions } from './fcm/fcm-provider.js';
export { ACCESS_TOKEN_REFRESH_MARGIN_MS, FCM_SCOPE, type FcmServiceAccount } from './fcm/fcm-oauth.js';

export { createStubCredentials, type StubCredentials } from './stubs/credentials.js';
export type { StubTlsCertificate } from './stubs/stub-server.js';
export { startApnsStub, type ApnsDelivery, type ApnsStub, type ApnsStubOptions } from './stubs/apns-stub.js';
export type { ApnsStubKey } from './stubs/apns-auth.js';
export { startFcmStub, type FcmDelivery, type FcmStub, type FcmStubOptions } from './stubs/fcm-stub.js';
export type { FcmStubAccount, IssuedAccessToken } from './stubs/fcm-oauth-endpoint.js';
export type { FcmStubMessage } from './stubs/fcm-validate.js';
export type { DeliveryLog, DeliveryFilter } from './stubs/delivery-log.js';
export type { StubFault } from './stubs/faults.js';
export type { StubTokenState } from './stubs/token-registry.js';

// The worker that turns committed messages and reads into pushes (outbox, deliveries, retractions).
export { startPushWorker, type PushWorker, type PushWorkerDeps, type PushWorkerOptions } from './worker.js';
export type { PushSettled } from './drainer.js';
export type { PlanResult, PresenceReader } from './outbox-planner.js';
export { messageDedupKey, retractDedupKey, collapseKeyOf, previewOf, PREVIEW_MAX_CHARS } from './payload.js';
export { retryDelayMs, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
