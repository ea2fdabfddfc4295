/**
 * The one place that decides whether a lost or refused connection is retried (with backoff) or
 * fatal (the app must act: refresh its token, fix its configuration). Retrying a bad token
 * would hammer the broker forever and never succeed; giving up on a network error would leave
 * a phone offline after every tunnel.
 */
import type { ConnectingCode, DisconnectCode } from './status.js';

/** How a session ended, as the MQTT adapter (or the client itself) observed it. */
export type SessionEnd =
  | { kind: 'refused'; returnCode: number } // CONNACK with a non-zero return code
  | { kind: 'connectTimeout' }
  | { kind: 'network'; message: string } // socket error, or closed by the peer or the network
  | { kind: 'pingTimeout' }
  | { kind: 'unauthorized'; reason: string } // REST answered 401, or the app's getToken() failed
  | { kind: 'closedByApp' };

export type EndDecision = { retry: true; code: ConnectingCode; reason: string } | { retry: false; code: DisconnectCode; reason: string };

/** CONNACK return codes of MQTT 3.1.1 §3.2.2.3 (Aedes adds 6 for a keepalive above its limit). */
const CONNACK_SERVER_UNAVAILABLE = 3;
const CONNACK_BAD_USERNAME_OR_PASSWORD = 4;
const CONNACK_NOT_AUTHORIZED = 5;

export function decideAfterEnd(end: SessionEnd): EndDecision {
  switch (end.kind) {
    case 'refused':
      return decideRefusal(end.returnCode);
    case 'connectTimeout':
      return { retry: true, code: 'connect_timeout', reason: 'no CONNACK in time' };
    case 'network':
      return { retry: true, code: 'network_error', reason: end.message };
    case 'pingTimeout':
      return { retry: true, code: 'ping_timeout', reason: 'no PINGRESP in time' };
    case 'unauthorized':
      return { retry: false, code: 'unauthorized', reason: end.reason };
    case 'closedByApp':
      return { retry: false, code: 'closed', reason: 'closed by the app' };
  }
}

function decideRefusal(returnCode: number): EndDecision {
  if (returnCode === CONNACK_SERVER_UNAVAILABLE)
    return { retry: true, code: 'server_unavailable', reason: 'CONNACK 3: server unavailable' };
  const isAuthFailure = returnCode === CONNACK_BAD_USERNAME_OR_PASSWORD || returnCode === CONNACK_NOT_AUTHORIZED;
  if (isAuthFailure) return { retry: false, code: 'unauthorized', reason: `CONNACK ${returnCode}: token refused` };
  // 1 (protocol version), 2 (client id) and 6 (Aedes: keepalive above its limit) come back the same on every retry.
  return { retry: false, code: 'refused', reason: `CONNACK ${returnCode}: connection refused` };
}
