/**
 * A device's own keys over REST (docs/e2ee.md): upload, replace, rotate, add one-time keys,
 * count, digest, delete; only with the device's own token; every malformed key refused with its
 * specific code; and the room events that tell peers about a device's key changes.
 */
import { createHash } from 'node:crypto';
import { IdentityKeyPair, KEMKeyPair } from '@signalapp/libsignal-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRoomEvent, encodeKeyDigestInput, roomEventTopic, RoomEventKind, type RoomEvent } from '../../schema/index.js';
import { countOneTimePreKeys, readDeviceKeys } from '../../store/index.js';
import { TestDevice } from '../support/device.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { createSignalTestDevice } from '../support/signal-device.js';

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform({ database: 'pglite', brokerState: 'memory' });
});
afterAll(async () => platform?.stop());

const keys = (deviceId: string, path = '') => `/v1/devices/${deviceId}/keys${path}`;
const code = (r: { json: { error?: { code?: string; details?: unknown } } }) => r.json.error?.code;
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const fromB64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

async function newDevice(deviceId = 'phone') {
  const userId = await platform.createUser('u');
  return { userId, deviceId, token: await platform.tokenFor(userId, deviceId), signal: createSignalTestDevice(userId) };
}

describe('PUT /v1/devices/{deviceId}/keys', () => {
  it('stores the keys, numbers the devices 1, 2, ... and answers counts, a count call and a digest the device can recompute', async () => {
    const phone = await newDevice('phone');
    const body = phone.signal.uploadBody({ ec: 5, kyber: 2 });
    const put = await platform.as(phone.token, 'PUT', keys('phone'), body);
    expect([put.status, put.json]).toEqual([
      200,
      { deviceId: 'phone', signalDeviceId: 1, identityChanged: false, oneTimePreKeyCount: 5, kyberOneTimePreKeyCount: 2 },
    ]);
    const laptopToken = await platform.tokenFor(phone.userId, 'laptop');
    const laptop = await platform.as(laptopToken, 'PUT', keys('laptop'), createSignalTestDevice(phone.userId).uploadBody());
    expect(laptop.json.signalDeviceId).toBe(2);

    const count = await platform.as(phone.token, 'GET', keys('phone', '/count'));
    expect(count.json).toEqual({
      deviceId: 'phone',
      signalDeviceId: 1,
      oneTimePreKeyCount: 5,
      kyberOneTimePreKeyCount: 2,
      lowThreshold: 10,
    });

    // The device's own computation, from what it uploaded: the server holds exactly that.
    type K = { keyId: number; publicKey: string; signature?: string };
    const decoded = (k: K) => ({ keyId: k.keyId, publicKey: fromB64(k.publicKey), signature: fromB64(k.signature ?? '') });
    const b = body as Record<string, unknown> & {
      signedPreKey: K;
      kyberLastResortPreKey: K;
      oneTimePreKeys: K[];
      kyberOneTimePreKeys: K[];
    };
    const expected = createHash('sha256')
      .update(
        encodeKeyDigestInput({
          signalDeviceId: 1,
          registrationId: phone.signal.registrationId,
          identityKey: phone.signal.identity.publicKey.serialize(),
          signedPreKey: decoded(b.signedPreKey),
          kyberLastResortPreKey: decoded(b.kyberLastResortPreKey),
          oneTimePreKeys: b.oneTimePreKeys.map((k) => ({ keyId: k.keyId, publicKey: fromB64(k.publicKey) })),
          kyberOneTimePreKeys: b.kyberOneTimePreKeys.map(decoded),
        }),
      )
      .digest('base64');
    const digest = await platform.as(phone.token, 'GET', keys('phone', '/digest'));
    expect(digest.json).toEqual({
      deviceId: 'phone',
      signalDeviceId: 1,
      algorithm: 'sha-256',
      digest: expected,
      oneTimePreKeyIds: [1, 2, 3, 4, 5],
      kyberOneTimePreKeyIds: [1, 2],
    });
  });

  it('accepts the largest upload: 100 one-time prekeys of each kind', async () => {
    const phone = await newDevice();
    const put = await platform.as(phone.token, 'PUT', keys('phone'), phone.signal.uploadBody({ ec: 100, kyber: 100 }));
    expect([put.status, put.json.oneTimePreKeyCount, put.json.kyberOneTimePreKeyCount]).toEqual([200, 100, 100]);
  });

  it("refuses another device's keys with 403 ERR_DEVICE_NOT_OWN, the admin with 403, and answers 404 before a first upload", async () => {
    const phone = await newDevice();
    const body = phone.signal.uploadBody();
    expect(code(await platform.as(phone.token, 'PUT', keys('laptop'), body))).toBe('ERR_DEVICE_NOT_OWN');
    expect(code(await platform.as(phone.token, 'GET', keys('laptop', '/count')))).toBe('ERR_DEVICE_NOT_OWN');
    expect(code(await platform.admin('PUT', keys('phone'), body))).toBe('ERR_AUTH_FORBIDDEN');
    for (const [method, path, payload] of [
      ['GET', '/count', undefined],
      ['GET', '/digest', undefined],
      ['PUT', '/signed', { signedPreKey: phone.signal.signedPreKeyBody(2) }],
      ['POST', '/one-time', phone.signal.oneTimeBody({ ec: 1, firstId: 50 })],
    ] as const) {
      const r = await platform.as(phone.token, method, keys('phone', path), payload);
      expect([path, r.status, code(r)]).toEqual([path, 404, 'ERR_KEYS_NOT_FOUND']);
    }
  });
});

describe('OpenAPI', () => {
  it('documents every key call under the keys tag', async () => {
    const spec = (await platform.api.inject({ method: 'GET', url: '/docs/json' })).json();
    const tagged = Object.entries(spec.paths as Record<string, Record<string, { tags?: string[] }>>).flatMap(([path, ops]) =>
      Object.entries(ops).flatMap(([method, op]) => (op.tags?.includes('keys') ? [`${method.toUpperCase()} ${path}`] : [])),
    );
    expect(tagged.sort()).toEqual([
      'DELETE /v1/devices/{deviceId}/keys',
      'GET /v1/devices/{deviceId}/keys/count',
      'GET /v1/devices/{deviceId}/keys/digest',
      'GET /v1/users/{userId}/devices',
      'POST /v1/devices/{deviceId}/keys/one-time',
      'POST /v1/users/{userId}/keys/claim',
      'PUT /v1/devices/{deviceId}/keys',
      'PUT /v1/devices/{deviceId}/keys/signed',
    ]);
  });
});

describe('key validation', () => {
  const other = IdentityKeyPair.generate();
  const flip = (text: string) => {
    const bytes = fromB64(text);
    bytes[10]! ^= 1;
    return b64(bytes);
  };
  type Body = Record<string, any>; // mutated per case below
  const cases: [string, (body: Body) => void, string][] = [
    ['a 32-byte identity key', (b) => (b.identityKey = b64(fromB64(b.identityKey).subarray(1))), 'ERR_KEYS_INVALID_KEY'],
    [
      'an identity key with a wrong type byte',
      (b) => (b.identityKey = b64(new Uint8Array([6, ...fromB64(b.identityKey).subarray(1)]))),
      'ERR_KEYS_INVALID_KEY',
    ],
    ['a Kyber key as the signed prekey', (b) => (b.signedPreKey.publicKey = b.kyberLastResortPreKey.publicKey), 'ERR_KEYS_INVALID_KEY'],
    ['an EC key as the Kyber last-resort prekey', (b) => (b.kyberLastResortPreKey.publicKey = b.identityKey), 'ERR_KEYS_INVALID_KEY'],
    [
      'a Kyber key with a wrong type byte',
      (b) => (b.kyberLastResortPreKey.publicKey = b64(new Uint8Array([7, ...fromB64(b.kyberLastResortPreKey.publicKey).subarray(1)]))),
      'ERR_KEYS_INVALID_KEY',
    ],
    [
      'a one-time key of 34 bytes',
      (b) => (b.oneTimePreKeys[0].publicKey = b64(new Uint8Array([...fromB64(b.identityKey), 0]))),
      'ERR_KEYS_INVALID_KEY',
    ],
    [
      'a signed prekey signed by another identity',
      (b) => (b.signedPreKey.signature = b64(other.privateKey.sign(fromB64(b.signedPreKey.publicKey)))),
      'ERR_KEYS_BAD_SIGNATURE',
    ],
    [
      'a Kyber last-resort prekey with a damaged signature',
      (b) => (b.kyberLastResortPreKey.signature = flip(b.kyberLastResortPreKey.signature)),
      'ERR_KEYS_BAD_SIGNATURE',
    ],
    [
      'a one-time Kyber prekey whose signature covers another key',
      (b) => (b.kyberOneTimePreKeys[0].publicKey = b64(KEMKeyPair.generate().getPublicKey().serialize())),
      'ERR_KEYS_BAD_SIGNATURE',
    ],
    [
      'a truncated signature',
      (b) => (b.signedPreKey.signature = b64(fromB64(b.signedPreKey.signature).subarray(0, 63))),
      'ERR_KEYS_BAD_SIGNATURE',
    ],
    ['key id 0', (b) => (b.oneTimePreKeys[0].keyId = 0), 'ERR_KEYS_ID_INVALID'],
    ['a key id beyond 24 bits', (b) => (b.signedPreKey.keyId = 0x100_0000), 'ERR_KEYS_ID_INVALID'],
    ['a registration id beyond 14 bits', (b) => (b.registrationId = 0x4000), 'ERR_KEYS_ID_INVALID'],
    ['a one-time key id twice', (b) => (b.oneTimePreKeys[1].keyId = b.oneTimePreKeys[0].keyId), 'ERR_KEYS_DUPLICATE_ID'],
    [
      'a one-time Kyber id equal to the last-resort id',
      (b) => (b.kyberOneTimePreKeys[0].keyId = b.kyberLastResortPreKey.keyId),
      'ERR_KEYS_DUPLICATE_ID',
    ],
    [
      '101 one-time prekeys',
      (b) => (b.oneTimePreKeys = Array.from({ length: 101 }, (_, i) => ({ ...b.oneTimePreKeys[0], keyId: i + 1 }))),
      'ERR_KEYS_TOO_MANY',
    ],
    ['a key that is not base64', (b) => (b.identityKey = 'not base64!'), 'ERR_REQUEST_INVALID'],
    ['a missing Kyber last-resort prekey', (b) => delete b.kyberLastResortPreKey, 'ERR_REQUEST_INVALID'],
  ];

  it.each(cases)('answers %s with 400 %s and stores nothing', async (_what, spoil, expectedCode) => {
    const phone = await newDevice();
    const body: Body = phone.signal.uploadBody({ ec: 2, kyber: 1 });
    spoil(body);
    const r = await platform.as(phone.token, 'PUT', keys('phone'), body);
    expect([r.status, code(r)]).toEqual([400, expectedCode]);
    expect(await countOneTimePreKeys(platform.db, { userId: phone.userId, deviceId: 'phone' })).toBeUndefined();
  });
});

describe('rotation and one-time keys', () => {
  it('rotates the signed prekey and the Kyber last resort, refusing ones the stored identity did not sign', async () => {
    const phone = await newDevice();
    await platform.as(phone.token, 'PUT', keys('phone'), phone.signal.uploadBody());
    const rotated = { signedPreKey: phone.signal.signedPreKeyBody(2), kyberLastResortPreKey: phone.signal.kyberPreKeyBody(900_001, true) };
    expect((await platform.as(phone.token, 'PUT', keys('phone', '/signed'), rotated)).status).toBe(204);
    const stored = await readDeviceKeys(platform.db, { userId: phone.userId, deviceId: 'phone' });
    expect([stored?.signedPreKey.keyId, b64(stored!.signedPreKey.publicKey), stored?.kyberLastResortPreKey.keyId]).toEqual([
      2,
      rotated.signedPreKey.publicKey,
      900_001,
    ]);

    const stranger = createSignalTestDevice(phone.userId);
    const foreign = await platform.as(phone.token, 'PUT', keys('phone', '/signed'), { signedPreKey: stranger.signedPreKeyBody(3) });
    expect([foreign.status, code(foreign)]).toEqual([400, 'ERR_KEYS_BAD_SIGNATURE']);
    expect((await readDeviceKeys(platform.db, { userId: phone.userId, deviceId: 'phone' }))?.signedPreKey.keyId).toBe(2);
    expect(code(await platform.as(phone.token, 'PUT', keys('phone', '/signed'), {}))).toBe('ERR_REQUEST_INVALID');
  });

  it('adds one-time keys, takes a retry as a no-op, and refuses a held id with another key or a Kyber key signed by someone else', async () => {
    const phone = await newDevice();
    await platform.as(phone.token, 'PUT', keys('phone'), phone.signal.uploadBody({ ec: 2 }));
    const more = phone.signal.oneTimeBody({ ec: 3, kyber: 1, firstId: 10 });
    const added = await platform.as(phone.token, 'POST', keys('phone', '/one-time'), more);
    expect([added.status, added.json.oneTimePreKeyCount, added.json.kyberOneTimePreKeyCount]).toEqual([200, 5, 1]);
    expect((await platform.as(phone.token, 'POST', keys('phone', '/one-time'), more)).json.oneTimePreKeyCount).toBe(5);

    const clash = await platform.as(phone.token, 'POST', keys('phone', '/one-time'), phone.signal.oneTimeBody({ ec: 1, firstId: 10 }));
    expect([clash.status, code(clash)]).toEqual([409, 'ERR_KEYS_ID_IN_USE']);
    const foreign = createSignalTestDevice(phone.userId).oneTimeBody({ kyber: 1, firstId: 20 });
    const refused = await platform.as(phone.token, 'POST', keys('phone', '/one-time'), foreign);
    expect([refused.status, code(refused)]).toEqual([400, 'ERR_KEYS_BAD_SIGNATURE']);
    expect(await countOneTimePreKeys(platform.db, { userId: phone.userId, deviceId: 'phone' })).toEqual({ ec: 5, kyber: 1 });
  });
});

describe('device key events', () => {
  async function watchEvents(userId: string, token: string, roomId: string): Promise<{ events: () => RoomEvent[]; device: TestDevice }> {
    const device = await TestDevice.connect(platform.endpoints.mqtt, userId, 'watcher', token);
    await device.client.subscribeAsync(roomEventTopic(roomId), { qos: 1 });
    const events = () =>
      device.observations.flatMap((o) => (o.kind === 'other' && o.topic === roomEventTopic(roomId) ? [decodeRoomEvent(o.payload)] : []));
    return { events, device };
  }

  it('tells the peers in encrypted rooms of a new device, a changed identity and a removed device, and plaintext rooms nothing', async () => {
    const alice = await newDevice();
    const bob = await platform.createUser('bob');
    const bobToken = await platform.tokenFor(bob, 'watcher');
    const room = async (encrypted: boolean) =>
      (await platform.admin('POST', '/v1/rooms', { name: 'r', kind: 'group', members: [alice.userId, bob], encrypted })).json.id as string;
    const encrypted = await room(true);
    const plain = await room(false);
    const inEncrypted = await watchEvents(bob, bobToken, encrypted);
    await inEncrypted.device.client.subscribeAsync(roomEventTopic(plain), { qos: 1 });
    const plainEvents = () =>
      inEncrypted.device.observations.flatMap((o) =>
        o.kind === 'other' && o.topic === roomEventTopic(plain) ? [decodeRoomEvent(o.payload)] : [],
      );

    const first = alice.signal.uploadBody();
    await platform.as(alice.token, 'PUT', keys('phone'), first);
    await platform.as(alice.token, 'PUT', keys('phone'), { ...first, oneTimePreKeys: [] }); // same identity: no event
    const reinstall = createSignalTestDevice(alice.userId).uploadBody();
    const replaced = await platform.as(alice.token, 'PUT', keys('phone'), reinstall);
    expect(replaced.json.identityChanged).toBe(true);
    expect((await platform.as(alice.token, 'DELETE', keys('phone'))).status).toBe(204);
    expect((await platform.as(alice.token, 'DELETE', keys('phone'))).status).toBe(204); // idempotent, no second event

    await inEncrypted.device.waitFor(() => inEncrypted.events().length >= 3, 'three key events');
    // A membership change in the plaintext room afterwards: the first event there must be that one.
    const carol = await platform.createUser('carol');
    await platform.admin('POST', `/v1/rooms/${plain}/members`, { userId: carol });
    await inEncrypted.device.waitFor(() => plainEvents().length >= 1, 'plaintext room event');
    await platform.admin('POST', `/v1/rooms/${encrypted}/members`, { userId: carol });
    await inEncrypted.device.waitFor(() => inEncrypted.events().length >= 4, 'marker in the encrypted room');

    expect(inEncrypted.events().map((e) => [e.kind, e.userId, e.deviceId ?? '', e.roomId])).toEqual([
      [RoomEventKind.ROOM_EVENT_KIND_DEVICE_ADDED, alice.userId, 'phone', encrypted],
      [RoomEventKind.ROOM_EVENT_KIND_IDENTITY_CHANGED, alice.userId, 'phone', encrypted],
      [RoomEventKind.ROOM_EVENT_KIND_DEVICE_REMOVED, alice.userId, 'phone', encrypted],
      [RoomEventKind.ROOM_EVENT_KIND_MEMBER_ADDED, carol, '', encrypted],
    ]);
    expect(plainEvents().map((e) => e.kind)).toEqual([RoomEventKind.ROOM_EVENT_KIND_MEMBER_ADDED]);
    await inEncrypted.device.close();
  });
});
