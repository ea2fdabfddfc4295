/** Who is calling: the admin credential or a user token (DESIGN §4). Trust nothing else. */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { isAppError } from '../lib/errors.js';
import type { TokenService } from '../lib/tokens.js';
import { apiError } from './errors.js';

/** A user caller's `expiresAtMs` is its token's: what is derived from the token (an event-stream ticket) expires with it. */
export type Caller = { kind: 'admin' } | { kind: 'user'; userId: string; deviceId: string; expiresAtMs: number };

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function identifyCaller(request: FastifyRequest, deps: { adminToken: string; tokens: TokenService }): Caller {
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
  const credential = match?.[1];
  if (credential === undefined) throw apiError('ERR_AUTH_MISSING');
  if (sameSecret(credential, deps.adminToken)) return { kind: 'admin' };
  try {
    const identity = deps.tokens.verify(credential);
    return { kind: 'user', userId: identity.userId, deviceId: identity.deviceId, expiresAtMs: identity.expiresAtMs };
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
