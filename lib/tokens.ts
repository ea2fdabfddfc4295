/**
 * Device tokens (docs/contract.md#device-tokens): HS256 JWTs with `sub` = user id, `did` = device
 * id, `exp`. The API signs them; the broker verifies them on CONNECT. `iat_ms` is when it was
 * issued to the millisecond (`iat` has whole seconds): the deny list refuses a device's tokens
 * issued before its revocation, and one issued a moment after it must work.
 *
 * Event-stream tickets are JWTs too, with the audience `chat-events`: a browser's EventSource
 * cannot send an Authorization header, so a device trades its token (POST /v1/events/tickets)
 * for a ticket that may appear in a URL. A ticket lives seconds, opens an event stream and
 * nothing else: `verify` refuses every token with an audience, so a ticket is never a device
 * token. It carries the device token's own expiry (`tex`) and issue time (`tia`), so a stream
 * outlives neither the token nor a revocation of it.
 */
import { randomBytes } from 'node:crypto';
import { createSigner, createVerifier } from 'fast-jwt';
import { AppError } from './errors.js';

export interface DeviceIdentity {
  userId: string;
  deviceId: string;
  expiresAtMs: number;
  /** When the token was issued (ms); 0 for a token that does not say, which any revocation then refuses. */
  issuedAtMs: number;
}

export interface TicketClaims extends DeviceIdentity {
  /** Unique per ticket, so a node can refuse a second use. */
  ticketId: string;
  /** When the ticket itself stops opening streams. */
  ticketExpiresAtMs: number;
}

export const TICKET_AUDIENCE = 'chat-events';

export interface IssueOptions {
  /** Ends the token sooner than the TTL (at most the TTL away), as for a token derived from another. */
  expiresAtMs?: number;
  /**
   * The device's revocation in force (store/token-denials.ts): the token is issued no earlier, so
   * it works even when this node's clock is behind the one that revoked.
   */
  notBeforeMs?: number;
  /**
   * The issue time of the token this one is derived from (an event stream's link): a revocation
   * of the original then refuses this one too.
   */
  derivedFromIssuedAtMs?: number;
}

export interface TokenService {
  issue: (userId: string, deviceId: string, options?: IssueOptions) => { token: string; expiresAtMs: number };
  /** Throws ERR_AUTH_TOKEN_INVALID (bad signature, malformed, a ticket) or ERR_AUTH_TOKEN_EXPIRED. */
  verify: (token: string) => DeviceIdentity;
  /** A ticket for `identity` (a verified device token), valid `ttlMs` or until the token expires, whichever is first. */
  issueTicket: (identity: DeviceIdentity, ttlMs: number) => { ticket: string; expiresAtMs: number };
  /** Throws ERR_AUTH_TOKEN_INVALID (not a ticket, bad signature) or ERR_AUTH_TOKEN_EXPIRED. */
  verifyTicket: (ticket: string) => TicketClaims;
}

type Claims = {
  sub?: unknown;
  did?: unknown;
  exp?: unknown;
  iat?: unknown;
  iat_ms?: unknown;
  aud?: unknown;
  tex?: unknown;
  tia?: unknown;
  jti?: unknown;
};

export function createTokenService(options: { secret: string; ttlSeconds: number; now?: () => number }): TokenService {
  const now = options.now ?? Date.now;
  const sign = createSigner({ key: options.secret, algorithm: 'HS256' });
  // Expiry is checked by hand to tell "expired" from "invalid" (different CONNACK/HTTP semantics).
  const verifier = createVerifier({
    key: options.secret,
    algorithms: ['HS256'],
    requiredClaims: ['sub', 'did', 'exp'],
    ignoreExpiration: true,
  });

  function claimsOf(token: string): Claims {
    try {
      return verifier(token) as Claims;
    } catch (cause) {
      throw new AppError('ERR_AUTH_TOKEN_INVALID', 'token invalid', { cause });
    }
  }

  function identityOf(claims: Claims, expClaim: unknown, issuedAtMs: number): DeviceIdentity {
    if (typeof claims.sub !== 'string' || typeof claims.did !== 'string' || typeof expClaim !== 'number') {
      throw new AppError('ERR_AUTH_TOKEN_INVALID', 'token lacks sub, did or exp');
    }
    if (expClaim * 1000 <= now()) throw new AppError('ERR_AUTH_TOKEN_EXPIRED', 'token expired');
    return { userId: claims.sub, deviceId: claims.did, expiresAtMs: expClaim * 1000, issuedAtMs };
  }

  /** A token's issue time: `iat_ms`, else the whole-second `iat`, else 0 (refused by any revocation). */
  function issuedAtOf(claims: Claims): number {
    if (typeof claims.iat_ms === 'number') return claims.iat_ms;
    return typeof claims.iat === 'number' ? claims.iat * 1000 : 0;
  }

  return {
    issue(userId, deviceId, issueOptions = {}) {
      const issuedAtMs = issueOptions.derivedFromIssuedAtMs ?? Math.max(now(), issueOptions.notBeforeMs ?? 0);
      const ttlEndMs = Math.max(now(), issuedAtMs) + options.ttlSeconds * 1000;
      const expiresAtS = Math.floor(Math.min(ttlEndMs, issueOptions.expiresAtMs ?? ttlEndMs) / 1000);
      const token = sign({ sub: userId, did: deviceId, iat: Math.floor(issuedAtMs / 1000), iat_ms: issuedAtMs, exp: expiresAtS });
      return { token, expiresAtMs: expiresAtS * 1000 };
    },
    verify(token) {
      const claims = claimsOf(token);
      if (claims.aud !== undefined) throw new AppError('ERR_AUTH_TOKEN_INVALID', 'a ticket is not a device token');
      return identityOf(claims, claims.exp, issuedAtOf(claims));
    },
    issueTicket(identity, ttlMs) {
      const expiresAtS = Math.floor(Math.min(now() + ttlMs, identity.expiresAtMs) / 1000);
      const ticket = sign({
        sub: identity.userId,
        did: identity.deviceId,
        aud: TICKET_AUDIENCE,
        jti: randomBytes(12).toString('base64url'),
        iat: Math.floor(now() / 1000),
        exp: expiresAtS,
        tex: Math.floor(identity.expiresAtMs / 1000),
        tia: identity.issuedAtMs,
      });
      return { ticket, expiresAtMs: expiresAtS * 1000 };
    },
    verifyTicket(ticket) {
      const claims = claimsOf(ticket);
      if (claims.aud !== TICKET_AUDIENCE || typeof claims.jti !== 'string') {
        throw new AppError('ERR_AUTH_TOKEN_INVALID', 'not an event-stream ticket');
      }
      const ticketIdentity = identityOf(claims, claims.exp, 0);
      // A ticket without `tia` stands for a token of unknown age: any revocation refuses it.
      const device = identityOf(claims, claims.tex, typeof claims.tia === 'number' ? claims.tia : 0);
      return { ...device, ticketId: claims.jti, ticketExpiresAtMs: ticketIdentity.expiresAtMs };
    },
  };
}
