/**
 * Push registration (docs/push.md#registration): PUT/GET/DELETE /v1/devices/{deviceId}/push, for
 * the calling device only, with the token checked per platform; and the rooms' `encrypted` flag.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPushToken } from '../../store/index.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { createRecordingProvider } from '../support/recording-provider.js';

let platform: TestPlatform;
let alice: string;
let aliceToken: string;

const apnsToken = () => randomBytes(32).toString('hex');
const fcmToken = () => `${randomBytes(8).toString('base64url')}:APA91b${randomBytes(96).toString('base64url')}`;
const errorCode = (r: { json: { error?: { code?: string } } }) => r.json.error?.code;
const push = (deviceId: string) => `/v1/devices/${deviceId}/push`;

beforeAll(async () => {
  const providers = new Map([
    ['apns', createRecordingProvider('apns')],
    ['fcm', createRecordingProvider('fcm')],
  ] as const);
  platform = await startTestPlatform({ database: 'pglite', brokerState: 'memory' }, {}, { pushProviders: providers });
  alice = await platform.createUser('alice');
  aliceToken = await platform.tokenFor(alice, 'phone');
});
afterAll(async () => platform?.stop());

describe('PUT /v1/devices/{deviceId}/push', () => {
  it('registers the calling device, reads back with GET, and replaces on a second PUT', async () => {
    const first = apnsToken();
    const put = await platform.as(aliceToken, 'PUT', push('phone'), { platform: 'apns', token: first });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ deviceId: 'phone', platform: 'apns', token: first });
    expect(Date.parse(put.json.registeredAt)).toBeLessThanOrEqual(Date.now());
    expect((await platform.as(aliceToken, 'GET', push('phone'))).json).toEqual(put.json);

    const second = fcmToken();
    await platform.as(aliceToken, 'PUT', push('phone'), { platform: 'fcm', token: second });
    expect(await getPushToken(platform.db, alice, 'phone')).toMatchObject({ platform: 'fcm', token: second });
  });

  it("refuses another device's registration with 403 ERR_DEVICE_NOT_OWN, and the admin with 403 ERR_AUTH_FORBIDDEN", async () => {
    for (const method of ['PUT', 'GET', 'DELETE']) {
      const r = await platform.as(
        aliceToken,
        method,
        push('laptop'),
        method === 'PUT' ? { platform: 'apns', token: apnsToken() } : undefined,
      );
      expect([method, r.status, errorCode(r)]).toEqual([method, 403, 'ERR_DEVICE_NOT_OWN']);
    }
    const admin = await platform.admin('PUT', push('phone'), { platform: 'apns', token: apnsToken() });
    expect([admin.status, errorCode(admin)]).toEqual([403, 'ERR_AUTH_FORBIDDEN']);
    expect((await getPushToken(platform.db, alice, 'laptop')) ?? 'none').toBe('none');
  });

  it.each([
    ['an unknown platform', { platform: 'wns', token: apnsToken() }, 'ERR_PUSH_PLATFORM_INVALID'],
    ['an APNs token that is not hex', { platform: 'apns', token: `zz${apnsToken().slice(2)}` }, 'ERR_PUSH_TOKEN_INVALID'],
    ['a short APNs token', { platform: 'apns', token: 'abcdef0123' }, 'ERR_PUSH_TOKEN_INVALID'],
    ['an FCM token with spaces', { platform: 'fcm', token: 'not a token at all' }, 'ERR_PUSH_TOKEN_INVALID'],
    ['an overlong FCM token', { platform: 'fcm', token: 'x'.repeat(4097) }, 'ERR_PUSH_TOKEN_INVALID'],
    ['a missing token', { platform: 'fcm' }, 'ERR_REQUEST_INVALID'],
  ])('answers %s with 400 %s and stores nothing', async (_, body, code) => {
    const bob = await platform.createUser('bob');
    const bobToken = await platform.tokenFor(bob, 'phone');
    const r = await platform.as(bobToken, 'PUT', push('phone'), body);
    expect([r.status, errorCode(r)]).toEqual([400, code]);
    expect(await getPushToken(platform.db, bob, 'phone')).toBeUndefined();
  });

  it('moves a token registered again by another user to that user (a handed-over phone)', async () => {
    const token = apnsToken();
    const carol = await platform.createUser('carol');
    await platform.as(aliceToken, 'PUT', push('phone'), { platform: 'apns', token });
    await platform.as(await platform.tokenFor(carol, 'phone'), 'PUT', push('phone'), { platform: 'apns', token });
    expect(await getPushToken(platform.db, alice, 'phone')).toBeUndefined();
    expect(await getPushToken(platform.db, carol, 'phone')).toMatchObject({ token });
  });
});

describe('DELETE /v1/devices/{deviceId}/push', () => {
  it('unregisters the device (204, idempotent); GET then answers 404 ERR_PUSH_TOKEN_NOT_FOUND', async () => {
    await platform.as(aliceToken, 'PUT', push('phone'), { platform: 'fcm', token: fcmToken() });
    expect((await platform.as(aliceToken, 'DELETE', push('phone'))).status).toBe(204);
    expect((await platform.as(aliceToken, 'DELETE', push('phone'))).status).toBe(204);
    const r = await platform.as(aliceToken, 'GET', push('phone'));
    expect([r.status, errorCode(r)]).toEqual([404, 'ERR_PUSH_TOKEN_NOT_FOUND']);
    expect(await getPushToken(platform.db, alice, 'phone')).toBeUndefined();
  });
});

describe('a platform without push providers', () => {
  it('refuses registration with 400 ERR_PUSH_PLATFORM_INVALID', async () => {
    const plain = await startTestPlatform({ database: 'pglite', brokerState: 'memory' });
    try {
      const user = await plain.createUser('dave');
      const r = await plain.as(await plain.tokenFor(user, 'phone'), 'PUT', push('phone'), { platform: 'apns', token: apnsToken() });
      expect([r.status, errorCode(r)]).toEqual([400, 'ERR_PUSH_PLATFORM_INVALID']);
    } finally {
      await plain.stop();
    }
  });
});

describe('encrypted rooms', () => {
  it('creates a room with encrypted: true and shows it; rooms default to false', async () => {
    const bob = await platform.createUser('bob');
    const secret = await platform.as(aliceToken, 'POST', '/v1/rooms', { name: 's', kind: 'group', members: [bob], encrypted: true });
    const plain = await platform.as(aliceToken, 'POST', '/v1/rooms', { name: 'p', kind: 'group', members: [bob] });
    expect((await platform.as(aliceToken, 'GET', `/v1/rooms/${secret.json.id}`)).json.encrypted).toBe(true);
    expect((await platform.as(aliceToken, 'GET', `/v1/rooms/${plain.json.id}`)).json.encrypted).toBe(false);
    const listed = (await platform.as(aliceToken, 'GET', '/v1/rooms')).json.rooms as { id: string; encrypted: boolean }[];
    expect(listed.find((r) => r.id === secret.json.id)?.encrypted).toBe(true);
    const bad = await platform.as(aliceToken, 'POST', '/v1/rooms', { name: 'x', kind: 'group', members: [bob], encrypted: 'yes' });
    expect([bad.status, errorCode(bad)]).toEqual([400, 'ERR_REQUEST_INVALID']);
  });
});
