/** Who is calling: the admin credential or a user token (docs/contract.md#admin-and-service-credentials). Trust nothing else. */
import type { FastifyRequest } from 'fastify';
import { isAppError } from '../lib/errors.js';
import { sameSecret } from '../lib/same-secret.js';
import type { TokenService } from '../lib/tokens.js';
import { apiError } from './errors.js';

/**
 * A user caller's `expiresAtMs` is its token's: what is derived from the token (an event-stream
 * ticket) expires with it. `issuedAtMs` is checked against the deny list on every call
 * (token-revocation-check.ts), and travels into what is derived from the token too.
 */
export type Caller = { kind: 'admin' } | { kind: 'user'; userId: string; deviceId: string; expiresAtMs: number; issuedAtMs: number };

/** Callers already identified, per request: the rate limiter identifies a caller before its route does. */
const identified = new WeakMap<FastifyRequest, Caller>();

export function identifyCaller(request: FastifyRequest, deps: { adminToken: string; tokens: TokenService }): Caller {
  const known = identified.get(request);
  if (known !== undefined) return known;
  const caller = verifyCredential(request, deps);
  identified.set(request, caller);
  return caller;
}

function verifyCredential(request: FastifyRequest, deps: { adminToken: string; tokens: TokenService }): Caller {
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
  const credential = match?.[1];
  if (credential === undefined) throw apiError('ERR_AUTH_MISSING');
  if (sameSecret(credential, deps.adminToken)) return { kind: 'admin' };
  try {
    const identity = deps.tokens.verify(credential);
    return {
      kind: 'user',
      userId: identity.userId,
      deviceId: identity.deviceId,
      expiresAtMs: identity.expiresAtMs,
      issuedAtMs: identity.issuedAtMs,
    };
  } catch (error) {
    const expired = isAppError(error) && error.code === 'ERR_AUTH_TOKEN_EXPIRED';
    throw apiError(expired ? 'ERR_AUTH_TOKEN_EXPIRED' : 'ERR_AUTH_TOKEN_INVALID');
  }
}

export function requireAdmin(caller: Caller): void {
  if (caller.kind !== 'admin') throw apiError('ERR_AUTH_FORBIDDEN', 'this call needs the admin credential');
}

export function requireUser(caller: Caller): Extract<Caller, { kind: 'user' }> {
  if (caller.kind !== 'user') throw apiError('ERR_AUTH_FORBIDDEN', 'this call needs a user token');
  return caller;
}

/** Calls about one device (its push registration, its keys) are for that device's own token only (its `did`). */
export function ownDevice(caller: Caller, deviceId: string): Extract<Caller, { kind: 'user' }> {
  const user = requireUser(caller);
  if (user.deviceId !== deviceId) throw apiError('ERR_DEVICE_NOT_OWN', undefined, { deviceId });
  return user;
}
