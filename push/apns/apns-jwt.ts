/**
 * The APNs provider token: an ES256 JWT `{alg, kid}.{iss: teamId, iat}` signed with the .p8 key.
 * APNs refuses one older than an hour (403 ExpiredProviderToken) and one replaced more often than
 * every 20 minutes (429 TooManyProviderTokenUpdates), so it is minted once and reused.
 */
import { createSigner } from 'fast-jwt';
import type { WallClock } from '../../lib/clock.js';

/** Re-mint before APNs' one-hour limit; apns2 uses 3000 s (docs/mobile-realities.md#apns-wire-facts). */
export const APNS_JWT_REFRESH_AFTER_MS = 50 * 60_000;
/** APNs answers 429 TooManyProviderTokenUpdates to a token replaced sooner than this. */
export const APNS_JWT_MIN_REFRESH_INTERVAL_MS = 20 * 60_000;

export interface ApnsJwtSource {
  /** The token to send now, minted when there is none or the cached one is due. */
  current(): string;
  /**
   * APNs called the token expired (our clock or theirs is off): mint a new one as soon as the
   * 20-minute floor allows. Returns how long until then, 0 when the next `current()` mints.
   */
  invalidate(): number;
}

export function createApnsJwtSource(
  deps: { clock: WallClock },
  options: { keyId: string; teamId: string; privateKeyPem: string },
): ApnsJwtSource {
  const sign = createSigner({ key: options.privateKeyPem, algorithm: 'ES256', kid: options.keyId });
  let cached: { token: string; issuedAtMs: number; invalidated: boolean } | undefined;

  const ageMs = (issuedAtMs: number) => deps.clock.now() - issuedAtMs;
  const isDue = (token: NonNullable<typeof cached>) =>
    ageMs(token.issuedAtMs) >= APNS_JWT_REFRESH_AFTER_MS ||
    (token.invalidated && ageMs(token.issuedAtMs) >= APNS_JWT_MIN_REFRESH_INTERVAL_MS);
  const mint = () => {
    const issuedAtMs = deps.clock.now();
    return { token: sign({ iss: options.teamId, iat: Math.floor(issuedAtMs / 1000) }), issuedAtMs, invalidated: false };
  };
  return {
    current() {
      if (cached === undefined || isDue(cached)) cached = mint();
      return cached.token;
    },
    invalidate() {
      if (cached === undefined) return 0;
      cached.invalidated = true;
      return Math.max(0, APNS_JWT_MIN_REFRESH_INTERVAL_MS - ageMs(cached.issuedAtMs));
    },
  };
}
