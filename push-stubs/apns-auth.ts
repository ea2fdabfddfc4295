/**
 * The APNs stub's check of the provider token, as Apple documents it ("Establishing a token-based
 * connection to APNs"): `authorization: bearer <ES256 JWT>` whose `kid` names a registered key,
 * `iss` is that key's team, and `iat` is less than an hour old.
 */
import { createDecoder, createVerifier } from 'fast-jwt';

/** APNs refuses a provider token issued longer ago than this (403 ExpiredProviderToken). */
export const APNS_PROVIDER_TOKEN_MAX_AGE_MS = 3600_000;
/** APNs refuses a provider token replaced on one connection sooner than this (429 TooManyProviderTokenUpdates). */
export const APNS_MIN_TOKEN_UPDATE_INTERVAL_MS = 20 * 60_000;
/** Tolerated lead of `iat` over the stub's clock. */
const CLOCK_SKEW_MS = 60_000;

export interface ApnsStubKey {
  keyId: string;
  teamId: string;
  /** The public half of the .p8 key, SPKI PEM. */
  publicKeyPem: string;
}

export type ProviderTokenCheck = { ok: true; token: string } | { ok: false; reason: string };

export type ProviderTokenVerifier = (authorization: string | undefined, nowMs: number) => ProviderTokenCheck;

export function createProviderTokenVerifier(keys: readonly ApnsStubKey[]): ProviderTokenVerifier {
  const decode = createDecoder({ complete: true });
  const verifiers = new Map(
    keys.map((key) => [
      key.keyId,
      { teamId: key.teamId, verify: createVerifier({ key: key.publicKeyPem, algorithms: ['ES256'], ignoreExpiration: true }) },
    ]),
  );
  return (authorization, nowMs) => {
    const token = /^bearer (\S+)$/i.exec(authorization ?? '')?.[1];
    if (token === undefined) return { ok: false, reason: 'MissingProviderToken' };
    let header: { alg?: unknown; kid?: unknown };
    try {
      header = (decode(token) as { header: typeof header }).header;
    } catch {
      return { ok: false, reason: 'InvalidProviderToken' };
    }
    const key = typeof header.kid === 'string' ? verifiers.get(header.kid) : undefined;
    if (header.alg !== 'ES256' || key === undefined) return { ok: false, reason: 'InvalidProviderToken' };
    let claims: { iss?: unknown; iat?: unknown };
    try {
      claims = key.verify(token) as typeof claims;
    } catch {
      return { ok: false, reason: 'InvalidProviderToken' };
    }
    if (claims.iss !== key.teamId || typeof claims.iat !== 'number') return { ok: false, reason: 'InvalidProviderToken' };
    const issuedAtMs = claims.iat * 1000;
    if (issuedAtMs > nowMs + CLOCK_SKEW_MS) return { ok: false, reason: 'InvalidProviderToken' };
    if (nowMs - issuedAtMs > APNS_PROVIDER_TOKEN_MAX_AGE_MS) return { ok: false, reason: 'ExpiredProviderToken' };
    return { ok: true, token };
  };
}

/** Tracks the provider token each connection last switched to, and when. */
export function createTokenUpdateGuard(): { allows(connection: object, token: string, nowMs: number): boolean } {
  const current = new WeakMap<object, { token: string; sinceMs: number }>();
  return {
    allows(connection, token, nowMs) {
      const previous = current.get(connection);
      if (previous?.token === token) return true;
      const isTooSoon = previous !== undefined && nowMs - previous.sinceMs < APNS_MIN_TOKEN_UPDATE_INTERVAL_MS;
      if (isTooSoon) return false;
      current.set(connection, { token, sinceMs: nowMs });
      return true;
    },
  };
}
