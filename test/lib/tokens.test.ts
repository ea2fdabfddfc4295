import { createSigner } from 'fast-jwt';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../lib/errors.js';
import { createTokenService } from '../../lib/tokens.js';

const SECRET = 'a-test-secret-of-at-least-32-chars!';
const OTHER_SECRET = 'another-secret-of-at-least-32-chars';
const HOUR_S = 3_600;
const DAY_MS = 86_400_000;

/** The error code `verify` throws for `token`, or a failed expectation when it accepts it. */
function verifyErrorCode(verify: (token: string) => unknown, token: string): string {
  try {
    verify(token);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return (error as AppError).code;
  }
  throw new Error('verify accepted the token');
}

describe('createTokenService', () => {
  it('verifies the token it issued, giving back the user, device, expiry and issue time', () => {
    const nowMs = Date.UTC(2030, 0, 1) + 1_234;
    const tokens = createTokenService({ secret: SECRET, ttlSeconds: HOUR_S, now: () => nowMs });
    const { token, expiresAtMs } = tokens.issue('alice', 'phone');
    expect(tokens.verify(token)).toEqual({ userId: 'alice', deviceId: 'phone', expiresAtMs, issuedAtMs: nowMs });
  });

  it('gives the issue time to the millisecond, so a token issued a moment after a revocation is told apart', () => {
    let nowMs = Date.UTC(2030, 0, 1) + 100;
    const tokens = createTokenService({ secret: SECRET, ttlSeconds: HOUR_S, now: () => nowMs });
    const before = tokens.verify(tokens.issue('alice', 'phone').token);
    nowMs += 300; // the same second
    const after = tokens.verify(tokens.issue('alice', 'phone').token);
    expect(after.issuedAtMs - before.issuedAtMs).toBe(300);
  });

  it('issues no earlier than the revocation in force, even when this clock is behind the one that revoked', () => {
    const nowMs = Date.UTC(2030, 0, 1);
    const tokens = createTokenService({ secret: SECRET, ttlSeconds: HOUR_S, now: () => nowMs });
    const { token } = tokens.issue('alice', 'phone', { notBeforeMs: nowMs + 2_000 });
    expect(tokens.verify(token).issuedAtMs).toBe(nowMs + 2_000);
  });

  it("gives a token derived from another (an event stream's link) the original's issue time, so a revocation covers both", () => {
    const nowMs = Date.UTC(2030, 0, 1);
    const tokens = createTokenService({ secret: SECRET, ttlSeconds: HOUR_S, now: () => nowMs });
    const derived = tokens.issue('alice', 'web', { derivedFromIssuedAtMs: nowMs - 5_000, expiresAtMs: nowMs + 60_000 });
    expect(tokens.verify(derived.token)).toEqual({
      userId: 'alice',
      deviceId: 'web',
      issuedAtMs: nowMs - 5_000,
      expiresAtMs: nowMs + 60_000,
    });
  });

  it("carries the device token's issue time in a ticket, and 0 for a ticket that does not say", () => {
    const nowMs = Date.UTC(2030, 0, 1);
    const tokens = createTokenService({ secret: SECRET, ttlSeconds: HOUR_S, now: () => nowMs });
    const device = tokens.verify(tokens.issue('alice', 'web').token);
    const { ticket } = tokens.issueTicket({ ...device, issuedAtMs: nowMs - 7_000 }, 30_000);
    expect(tokens.verifyTicket(ticket).issuedAtMs).toBe(nowMs - 7_000);
    const sign = createSigner({ key: SECRET, algorithm: 'HS256' });
    const old = sign({ sub: 'alice', did: 'web', aud: 'chat-events', jti: 'j', exp: nowMs / 1000 + 30, tex: nowMs / 1000 + 60 });
    expect(tokens.verifyTicket(old).issuedAtMs).toBe(0);
  });

  it('takes the whole-second iat of a token without iat_ms, and 0 for one without either', () => {
    const sign = createSigner({ key: SECRET, algorithm: 'HS256' });
    const signWithoutIat = createSigner({ key: SECRET, algorithm: 'HS256', noTimestamp: true });
    const tokens = createTokenService({ secret: SECRET, ttlSeconds: HOUR_S });
    expect(tokens.verify(sign({ sub: 'alice', did: 'phone', iat: 1_900_000_000, exp: 4_000_000_000 })).issuedAtMs).toBe(1_900_000_000_000);
    expect(tokens.verify(signWithoutIat({ sub: 'alice', did: 'phone', exp: 4_000_000_000 })).issuedAtMs).toBe(0);
  });

  it('sets the expiry ttlSeconds after the injected now, rounded down to the second', () => {
    const nowMs = Date.UTC(2030, 0, 1) + 1_234; // not a whole second
    const tokens = createTokenService({ secret: SECRET, ttlSeconds: HOUR_S, now: () => nowMs });
    const { expiresAtMs } = tokens.issue('alice', 'phone');
    expect(expiresAtMs).toBe(Math.floor((nowMs + HOUR_S * 1000) / 1000) * 1000);
  });

  it('verifies tokens of another service instance that shares the secret', () => {
    const api = createTokenService({ secret: SECRET, ttlSeconds: HOUR_S });
    const broker = createTokenService({ secret: SECRET, ttlSeconds: 60 });
    expect(broker.verify(api.issue('bob', 'tablet').token)).toMatchObject({ userId: 'bob', deviceId: 'tablet' });
  });

  it('rejects a token signed with another secret as ERR_AUTH_TOKEN_INVALID', () => {
    const token = createTokenService({ secret: OTHER_SECRET, ttlSeconds: HOUR_S }).issue('alice', 'phone').token;
    const tokens = createTokenService({ secret: SECRET, ttlSeconds: HOUR_S });
    expect(verifyErrorCode(tokens.verify, token)).toBe('ERR_AUTH_TOKEN_INVALID');
  });

  it('rejects a token issued far in the past as ERR_AUTH_TOKEN_EXPIRED', () => {
    const longAgo = Date.UTC(2001, 0, 1);
    const token = createTokenService({ secret: SECRET, ttlSeconds: HOUR_S, now: () => longAgo }).issue('alice', 'phone').token;
    const tokens = createTokenService({ secret: SECRET, ttlSeconds: HOUR_S });
    expect(verifyErrorCode(tokens.verify, token)).toBe('ERR_AUTH_TOKEN_EXPIRED');
  });

  it('keeps the underlying failure as the cause', () => {
    const tokens = createTokenService({ secret: SECRET, ttlSeconds: HOUR_S });
    try {
      tokens.verify('garbage');
      expect.unreachable('verify accepted garbage');
    } catch (error) {
      expect((error as AppError).cause).toBeDefined();
    }
  });

  it.each([
    ['the empty string', ''],
    ['a word', 'garbage'],
    ['three dots-separated junk parts', 'a.b.c'],
  ])('rejects %s as ERR_AUTH_TOKEN_INVALID', (_label, token) => {
    const tokens = createTokenService({ secret: SECRET, ttlSeconds: HOUR_S });
    expect(verifyErrorCode(tokens.verify, token)).toBe('ERR_AUTH_TOKEN_INVALID');
  });

  it('rejects a tampered payload as ERR_AUTH_TOKEN_INVALID', () => {
    const tokens = createTokenService({ secret: SECRET, ttlSeconds: HOUR_S });
    const [header, , signature] = tokens.issue('alice', 'phone').token.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'mallory', did: 'phone', exp: 4_000_000_000 })).toString('base64url');
    expect(verifyErrorCode(tokens.verify, `${header}.${forged}.${signature}`)).toBe('ERR_AUTH_TOKEN_INVALID');
  });

  it('rejects an unsigned (alg "none") token as ERR_AUTH_TOKEN_INVALID', () => {
    const unsigned = createSigner({ algorithm: 'none' })({ sub: 'alice', did: 'phone', exp: 4_000_000_000 });
    const tokens = createTokenService({ secret: SECRET, ttlSeconds: HOUR_S });
    expect(verifyErrorCode(tokens.verify, unsigned)).toBe('ERR_AUTH_TOKEN_INVALID');
  });

  it.each([
    ['sub', { did: 'phone', exp: 4_000_000_000 }],
    ['did', { sub: 'alice', exp: 4_000_000_000 }],
    ['exp', { sub: 'alice', did: 'phone' }],
  ])('rejects a correctly signed token without %s as ERR_AUTH_TOKEN_INVALID', (_claim, payload) => {
    const token = createSigner({ key: SECRET, algorithm: 'HS256' })(payload);
    const tokens = createTokenService({ secret: SECRET, ttlSeconds: HOUR_S });
    expect(verifyErrorCode(tokens.verify, token)).toBe('ERR_AUTH_TOKEN_INVALID');
  });

  // Time is injected, so verify must judge expiry by the
  // same clock issue used; otherwise a service on a fake clock rejects its own fresh tokens.
  it('judges expiry by the injected clock', () => {
    let nowMs = Date.UTC(2001, 0, 1);
    const tokens = createTokenService({ secret: SECRET, ttlSeconds: HOUR_S, now: () => nowMs });
    const { token } = tokens.issue('alice', 'phone');
    expect(tokens.verify(token)).toMatchObject({ userId: 'alice', deviceId: 'phone' });
    nowMs += DAY_MS;
    expect(verifyErrorCode(tokens.verify, token)).toBe('ERR_AUTH_TOKEN_EXPIRED');
  });
});

describe('event-stream tickets', () => {
  const T0 = Date.UTC(2030, 0, 1);

  it('carry the device and its token expiry, and expire after their own TTL or the token, whichever is first', () => {
    let nowMs = T0;
    const tokens = createTokenService({ secret: SECRET, ttlSeconds: HOUR_S, now: () => nowMs });
    const device = tokens.verify(tokens.issue('alice', 'web').token);
    const { ticket, expiresAtMs } = tokens.issueTicket(device, 30_000);
    expect(expiresAtMs).toBe(T0 + 30_000);
    expect(tokens.verifyTicket(ticket)).toMatchObject({
      userId: 'alice',
      deviceId: 'web',
      expiresAtMs: device.expiresAtMs,
      ticketExpiresAtMs: T0 + 30_000,
    });
    const nearlyExpired = { ...device, expiresAtMs: T0 + 5_000 };
    expect(tokens.issueTicket(nearlyExpired, 30_000).expiresAtMs).toBe(T0 + 5_000);
    nowMs += 30_000;
    expect(verifyErrorCode(tokens.verifyTicket, ticket)).toBe('ERR_AUTH_TOKEN_EXPIRED');
  });

  it('are each unique, and are never accepted as device tokens, nor device tokens as tickets', () => {
    const tokens = createTokenService({ secret: SECRET, ttlSeconds: HOUR_S });
    const { token } = tokens.issue('alice', 'web');
    const device = tokens.verify(token);
    const [a, b] = [tokens.issueTicket(device, 30_000).ticket, tokens.issueTicket(device, 30_000).ticket];
    expect(tokens.verifyTicket(a).ticketId).not.toBe(tokens.verifyTicket(b).ticketId);
    expect(verifyErrorCode(tokens.verify, a)).toBe('ERR_AUTH_TOKEN_INVALID');
    expect(verifyErrorCode(tokens.verifyTicket, token)).toBe('ERR_AUTH_TOKEN_INVALID');
  });

  it('lets a token be issued to end no later than another credential', () => {
    const tokens = createTokenService({ secret: SECRET, ttlSeconds: HOUR_S, now: () => T0 });
    expect(tokens.issue('alice', 'web', { expiresAtMs: T0 + 90_500 }).expiresAtMs).toBe(T0 + 90_000);
    expect(tokens.issue('alice', 'web', { expiresAtMs: T0 + 10 * HOUR_S * 1000 }).expiresAtMs).toBe(T0 + HOUR_S * 1000);
  });
});
