/**
 * Local APNs and FCM servers that speak the providers' wire APIs (HTTP/2 + JWT for APNs, OAuth 2.0
 * + HTTP v1 for FCM), with an HTTP control surface to read deliveries and inject faults
 * (docs/push.md#local-provider-stubs). Development and test infrastructure, not part of the
 * product: `npm start` without APNS_* / FCM_* points its push clients here, and so do the tests,
 * the simulator and the demo.
 */
export { createStubCredentials, type StubCredentials } from './credentials.js';
export type { StubTlsCertificate } from './stub-server.js';
export { startApnsStub, type ApnsDelivery, type ApnsStub, type ApnsStubOptions } from './apns-stub.js';
export type { ApnsStubKey } from './apns-auth.js';
export { startFcmStub, type FcmDelivery, type FcmStub, type FcmStubOptions } from './fcm-stub.js';
export type { FcmStubAccount, IssuedAccessToken } from './fcm-oauth-endpoint.js';
export type { FcmStubMessage } from './fcm-validate.js';
export type { DeliveryLog, DeliveryFilter } from './delivery-log.js';
export type { StubFault } from './faults.js';
export type { StubTokenState } from './token-registry.js';
