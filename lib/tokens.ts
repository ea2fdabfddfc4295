/**
 * Device tokens (docs/contract.md#device-tokens): HS256 JWTs with `sub` = user id, `did` = device
 * id, `exp`. The API signs them; the broker verifies them on CONNECT. `iat_ms` is when it was
 * issued to the millisecond (`iat` has whole seconds): the deny list refuses a device's tokens
 * issued before its revocation, and one issued a moment after it must work.
 */
import { createSigner, createVerifier } from 'fast-jwt';
import { AppError } from './errors.js';

export interface DeviceIdentity {
  userId: string;
  deviceId: string;
  expiresAtMs: number;
  /** When the token was issued (ms); 0 for a token that does not say, which any revocation then refuses. */
  issuedAtMs: number;
}

export interface TokenService {
  /**
   * `notBeforeMs`: the device's revocation in force (store/token-denials.ts); the token is issued
   * no earlier, so it works even when this node's clock is behind the one that revoked.
   */
  issue: (userId: string, deviceId: string, options?: { notBeforeMs?: number }) => { token: string; expiresAtMs: number };
  /** Throws ERR_AUTH_TOKEN_INVALID (bad signature, malformed) or ERR_AUTH_TOKEN_EXPIRED. */
  verify: (token: string) => DeviceIdentity;
}

export function createTokenService(options: { secret: string; ttlSeconds: number; now?: () => number }): TokenService {
  const now = options.now ?? Date.now;
  const sign = createSigner({ key: options.secret, algorithm: 'HS256' });
  // Expiry is checked below against the injected clock, so tests can move time.
  const verifier = createVerifier({
    key: options.secret,
    algorithms: ['HS256'],
    requiredClaims: ['sub', 'did', 'exp'],
    ignoreExpiration: true,
  });
  return {
    issue(userId, deviceId, issueOptions = {}) {
      const issuedAtMs = Math.max(now(), issueOptions.notBeforeMs ?? 0);
      const expiresAtMs = issuedAtMs + options.ttlSeconds * 1000;
      const token = sign({
        sub: userId,
        did: deviceId,
        iat: Math.floor(issuedAtMs / 1000),
        iat_ms: issuedAtMs,
        exp: Math.floor(expiresAtMs / 1000),
      });
      return { token, expiresAtMs: Math.floor(expiresAtMs / 1000) * 1000 };
    },
    verify(token) {
      let claims: { sub?: unknown; did?: unknown; exp?: unknown; iat?: unknown; iat_ms?: unknown };
      try {
        claims = verifier(token) as typeof claims;
      } catch (cause) {
        throw new AppError('ERR_AUTH_TOKEN_INVALID', 'token invalid', { cause });
      }
      if (typeof claims.sub !== 'string' || typeof claims.did !== 'string' || typeof claims.exp !== 'number') {
        throw new AppError('ERR_AUTH_TOKEN_INVALID', 'token lacks sub, did or exp');
      }
      if (claims.exp * 1000 <= now()) throw new AppError('ERR_AUTH_TOKEN_EXPIRED', 'token expired');
      const issuedAtMs = typeof claims.iat_ms === 'number' ? claims.iat_ms : typeof claims.iat === 'number' ? claims.iat * 1000 : 0;
      return { userId: claims.sub, deviceId: claims.did, expiresAtMs: claims.exp * 1000, issuedAtMs };
    },
  };
}
