/**
 * Who may connect and which topics they may use, as pure decisions shared by every broker the
 * platform runs on: the embedded Aedes broker (broker/) and an external one (EMQX, Mosquitto)
 * that asks the API's HTTP endpoints (api/routes/broker-hooks.ts).
 */
export type { Identity } from './identity.js';
export {
  CONNACK_IDENTIFIER_REJECTED,
  CONNACK_NOT_AUTHORIZED,
  decideCredentials,
  deviceOfClientId,
  type CredentialRefusal,
  type CredentialVerdict,
  type Credentials,
} from './credentials.js';
export { decidePublish, decideSubscribe, forwardScopeOf, type AclDecision, type ForwardScope } from './topic-acl.js';
