/**
 * What a node checks on every CONNECT before it authenticates it: the keepalive the client asks
 * for, and the node's connect rate. Both answer with a CONNACK return code, so the client knows
 * whether to retry (3, server unavailable: later, with backoff) or not (2: change the request).
 * Live sessions are never touched: only new CONNECTs take from the bucket.
 */
import type { Aedes, AuthenticateError, Client } from 'aedes';
import type { Logger } from '../lib/log.js';
import { createKeyedTokenBuckets } from '../lib/keyed-token-buckets.js';

/** CONNACK return codes of MQTT 3.1.1 (§3.2.2.3). */
const CONNACK_IDENTIFIER_REJECTED = 2;
const CONNACK_SERVER_UNAVAILABLE = 3;

export type ConnectVerdict = { accept: true } | { accept: false; returnCode: number; reason: 'keepalive' | 'connect_rate' };

export interface ConnectPolicyOptions {
  /** The longest keepalive accepted; 0 (no keepalive) is refused too. */
  keepaliveLimitSeconds: number;
  ratePerSecond: number;
  burst: number;
  now: () => number;
}

/**
 * Keepalive 0 means "never time me out": a device whose network silently dropped it would look
 * online forever. MQTT 3.1.1 has no way to impose a keepalive (MQTT 5's Server Keep Alive does),
 * so, as Mosquitto does with `max_keepalive`, a keepalive of 0 or above the limit is refused with
 * CONNACK 2. Every accepted connection thus times out within 1.5 x its keepalive of silence.
 */
export interface ConnectPolicy {
  decide: (keepaliveSeconds: number) => ConnectVerdict;
}

export function createConnectPolicy(options: ConnectPolicyOptions): ConnectPolicy {
  const bucket = createKeyedTokenBuckets({ now: options.now }, { ratePerSecond: options.ratePerSecond, burst: options.burst });
  return {
    decide(keepaliveSeconds) {
      const isKeepaliveRefused = keepaliveSeconds === 0 || keepaliveSeconds > options.keepaliveLimitSeconds;
      if (isKeepaliveRefused) return { accept: false, returnCode: CONNACK_IDENTIFIER_REJECTED, reason: 'keepalive' };
      if (!bucket.take('node').allowed) return { accept: false, returnCode: CONNACK_SERVER_UNAVAILABLE, reason: 'connect_rate' };
      return { accept: true };
    },
  };
}

export interface ConnectGate {
  /** The refusal decided for `client` at its CONNECT, which authentication answers with (CONNACK code and a clean close). */
  refusalOf(client: Client): AuthenticateError | undefined;
}

/**
 * Wires the policy into Aedes. Its `preConnect` can only drop a connection without a CONNACK,
 * while a refusal from `authenticate` is answered with the CONNACK code it carries and a clean
 * close (aedes/lib/handlers/connect.js). So the verdict is taken in `preConnect` (before any
 * session work) and delivered by the authenticate hook (aedes-hooks.ts), which asks `refusalOf`
 * first.
 */
export function installConnectGate(aedes: Aedes, policy: ConnectPolicy, log: Logger): ConnectGate {
  const refusals = new WeakMap<Client, AuthenticateError>();
  aedes.preConnect = (client, packet, done) => {
    const verdict = policy.decide(packet.keepalive ?? 0);
    if (!verdict.accept) {
      log.info({ clientId: packet.clientId, keepaliveSeconds: packet.keepalive, reason: verdict.reason }, 'connect refused');
      const message = verdict.reason === 'keepalive' ? 'keepalive 0 or above the limit' : 'connect rate exceeded';
      const refusal: AuthenticateError = Object.assign(new Error(message), { returnCode: verdict.returnCode });
      refusals.set(client, refusal);
    }
    done(null, true);
  };
  return { refusalOf: (client) => refusals.get(client) };
}
