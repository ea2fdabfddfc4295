import { createDecoder } from 'fast-jwt';
import { describe, expect, it } from 'vitest';
import { createApnsJwtSource } from '../../../push/apns/apns-jwt.js';
import { createStubCredentials } from '../../../push-stubs/index.js';
import { createWallClockAtNow } from '../fixtures.js';

const MINUTE_MS = 60_000;
const decode = createDecoder({ complete: true });
const { apns } = createStubCredentials();

describe('createApnsJwtSource', () => {
  it('mints {alg: ES256, kid}.{iss: teamId, iat} and keeps it for 50 minutes', () => {
    const clock = createWallClockAtNow();
    const source = createApnsJwtSource({ clock }, apns);
    const first = source.current();

    clock.advance(50 * MINUTE_MS - 1);
    expect(source.current()).toBe(first);
    clock.advance(1);
    const second = source.current();

    expect(second).not.toBe(first);
    expect(decode(second)).toMatchObject({
      header: { alg: 'ES256', kid: apns.keyId },
      payload: { iss: apns.teamId, iat: Math.floor(clock.now() / 1000) },
    });
  });

  it('after an invalidation, mints again only once the token is 20 minutes old', () => {
    const clock = createWallClockAtNow();
    const source = createApnsJwtSource({ clock }, apns);
    const first = source.current();
    clock.advance(5 * MINUTE_MS);

    expect(source.invalidate()).toBe(15 * MINUTE_MS);
    expect(source.current()).toBe(first);
    clock.advance(15 * MINUTE_MS);
    expect(source.invalidate()).toBe(0);
    expect(source.current()).not.toBe(first);
  });
});
