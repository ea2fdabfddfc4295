import { describe, expect, it } from 'vitest';
import { apnsOutcome, apnsReason } from '../../../push/apns/apns-outcome.js';

const NOW_MS = 1_800_000_000_000;
const SENT_ID = '00000000-0000-4000-8000-000000000000';
const answer = (status: number, reason?: string, retryAfter?: string) => ({ status, reason, apnsId: undefined, retryAfter });

describe('apnsOutcome', () => {
  it('is delivered on 200, naming the apns-id APNs answered', () => {
    expect(apnsOutcome({ status: 200, reason: undefined, apnsId: 'abc', retryAfter: undefined }, SENT_ID, NOW_MS)).toEqual({
      kind: 'delivered',
      providerId: 'abc',
    });
    expect(apnsOutcome(answer(200), SENT_ID, NOW_MS)).toEqual({ kind: 'delivered', providerId: SENT_ID });
  });

  it.each([
    [410, 'Unregistered'],
    [410, 'ExpiredToken'],
    [400, 'BadDeviceToken'],
    [400, 'DeviceTokenNotForTopic'],
  ])('declares the token dead on %i %s', (status, reason) => {
    expect(apnsOutcome(answer(status, reason), SENT_ID, NOW_MS)).toEqual({ kind: 'token-dead', reason });
  });

  it.each([
    [400, 'BadCollapseId'],
    [400, 'MissingTopic'],
    [403, 'InvalidProviderToken'],
    [404, 'BadPath'],
    [405, 'MethodNotAllowed'],
    [413, 'PayloadTooLarge'],
  ])('rejects for good on %i %s', (status, reason) => {
    expect(apnsOutcome(answer(status, reason), SENT_ID, NOW_MS)).toEqual({ kind: 'rejected', reason });
  });

  it.each([
    [429, 'TooManyRequests'],
    [500, 'InternalServerError'],
    [503, 'ServiceUnavailable'],
    [503, 'Shutdown'],
  ])('asks to retry on %i %s, with Retry-After when given', (status, reason) => {
    expect(apnsOutcome(answer(status, reason), SENT_ID, NOW_MS)).toEqual({ kind: 'retry', reason });
    expect(apnsOutcome(answer(status, reason, '3'), SENT_ID, NOW_MS)).toEqual({ kind: 'retry', reason, retryAfterMs: 3000 });
  });

  it('names the status when the body has no reason', () => {
    expect(apnsOutcome(answer(502), SENT_ID, NOW_MS)).toEqual({ kind: 'retry', reason: 'HTTP 502' });
  });
});

describe('apnsReason', () => {
  it('reads {reason} and leaves anything else unknown', () => {
    expect(apnsReason(Buffer.from('{"reason":"BadTopic"}'))).toBe('BadTopic');
    expect(apnsReason(Buffer.from('<html>'))).toBeUndefined();
    expect(apnsReason(Buffer.alloc(0))).toBeUndefined();
  });
});
