/**
 * Who a CONNECT is, from its client id, username and password, as a pure decision: the platform's
 * own processes (username `$platform`, the admin token as password) or a device (username = its
 * user id, password = its device token, client id `{userId}:{deviceId}`; docs/contract.md#device-tokens).
 * The embedded broker answers a refusal with the CONNACK code named here; the API's authentication
 * endpoint for an external broker answers it as `{"result": "deny"}`.
 */
import { sameSecret } from '../lib/same-secret.js';
import { SERVICE_USERNAME } from '../lib/service-identity.js';
import type { TokenService } from '../lib/tokens.js';
import { deviceClientId } from '../schema/index.js';
import type { Identity } from './identity.js';

/** CONNACK return codes of MQTT 3.1.1 (§3.2.2.3). */
export const CONNACK_IDENTIFIER_REJECTED = 2;
export const CONNACK_NOT_AUTHORIZED = 5;

export type CredentialRefusal = 'bad_service_credential' | 'token_invalid' | 'username_not_token_subject' | 'client_id_not_device';

export type CredentialVerdict =
  | { accept: true; identity: Identity }
  | {
      accept: false;
      returnCode: typeof CONNACK_IDENTIFIER_REJECTED | typeof CONNACK_NOT_AUTHORIZED;
      reason: CredentialRefusal;
      message: string;
      /** The token service's error code (ERR_AUTH_TOKEN_INVALID or ERR_AUTH_TOKEN_EXPIRED) for a refused token. */
      tokenError?: string;
    };

export interface Credentials {
  clientId: string;
  username: string | undefined;
  password: string;
}

export function decideCredentials(
  deps: { tokens: Pick<TokenService, 'verify'>; adminToken: string },
  credentials: Credentials,
): CredentialVerdict {
  const { clientId, username, password } = credentials;
  if (username === SERVICE_USERNAME) {
    if (sameSecret(password, deps.adminToken)) return { accept: true, identity: { kind: 'service' } };
    return { accept: false, returnCode: CONNACK_NOT_AUTHORIZED, reason: 'bad_service_credential', message: 'bad service credential' };
  }
  let identity: Identity;
  try {
    const verified = deps.tokens.verify(password);
    identity = {
      kind: 'device',
      userId: verified.userId,
      deviceId: verified.deviceId,
      tokenExpiresAtMs: verified.expiresAtMs,
      tokenIssuedAtMs: verified.issuedAtMs,
    };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return {
      accept: false,
      returnCode: CONNACK_NOT_AUTHORIZED,
      reason: 'token_invalid',
      message: 'token invalid or expired',
      ...(typeof code === 'string' ? { tokenError: code } : {}),
    };
  }
  if (username !== identity.userId) {
    return {
      accept: false,
      returnCode: CONNACK_NOT_AUTHORIZED,
      reason: 'username_not_token_subject',
      message: 'username is not the token subject',
    };
  }
  if (clientId !== deviceClientId(identity.userId, identity.deviceId)) {
    return {
      accept: false,
      returnCode: CONNACK_IDENTIFIER_REJECTED,
      reason: 'client_id_not_device',
      message: 'client id must be {userId}:{deviceId}',
    };
  }
  return { accept: true, identity };
}

/** The device of a client id `{userId}:{deviceId}`, which authentication checked against the token. */
export function deviceOfClientId(clientId: string | undefined): { userId: string; deviceId: string } | undefined {
  const parts = clientId?.split(':');
  return parts?.length === 2 ? { userId: parts[0]!, deviceId: parts[1]! } : undefined;
}
