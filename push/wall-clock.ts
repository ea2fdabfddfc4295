/**
 * Epoch time for provider credentials. JWT `iat`/`exp`, access-token lifetimes and HTTP dates are
 * wall-clock facts (unlike the SDK's monotonic Clock), and tests move this clock to age a token
 * by an hour without waiting for it.
 */
export interface WallClock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: WallClock = { now: () => Date.now() };
