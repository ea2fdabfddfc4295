/**
 * Claiming another user's prekey bundles (docs/e2ee.md): who may, what a bundle holds, that it
 * opens a real libsignal session (also once the one-time keys have run out), the per-caller
 * rate limit, and the keys-low notice on the owner's inbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoomEventKind } from '../../schema/index.js';
import { TestDevice } from '../support/device.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { createSignalTestDevice, type BundleJson, type SignalTestDevice } from '../support/signal-device.js';

const BURST = 8;
let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform(
    { database: 'pglite', brokerState: 'memory' },
    // A slow refill: a caller's ninth claim is refused for the rest of the file.
    { PREKEY_LOW_THRESHOLD: '3', PREKEY_FETCH_BURST: String(BURST), PREKEY_FETCH_RATE_PER_SECOND: '0.001' },
  );
});
afterAll(async () => platform?.stop());

const code = (r: { json: { error?: { code?: string } } }) => r.json.error?.code;
const claim = (token: string, userId: string, body: object = {}) => platform.as(token, 'POST', `/v1/users/${userId}/keys/claim`, body);

interface Member {
  userId: string;
  devices: Map<string, { token: string; signal: SignalTestDevice; signalDeviceId: number }>;
}

/** A user whose devices have uploaded keys (`ec` one-time EC prekeys, `kyber` one-time Kyber prekeys each). */
async function member(deviceIds: string[], upload: { ec?: number; kyber?: number } = {}): Promise<Member> {
  const userId = await platform.createUser('m');
  const devices: Member['devices'] = new Map();
  for (const deviceId of deviceIds) {
    const token = await platform.tokenFor(userId, deviceId);
    const signal = createSignalTestDevice(userId);
    const put = await platform.as(token, 'PUT', `/v1/devices/${deviceId}/keys`, signal.uploadBody(upload));
    if (put.status !== 200) throw new Error(`upload: ${put.status} ${JSON.stringify(put.json)}`);
    devices.set(deviceId, { token, signal, signalDeviceId: put.json.signalDeviceId });
  }
  return { userId, devices };
}
const device = (m: Member, id: string) => m.devices.get(id)!;

async function peers(...members: Member[]): Promise<string> {
  return (
    await platform.admin('POST', '/v1/rooms', { name: 'e2ee', kind: 'group', members: members.map((m) => m.userId), encrypted: true })
  ).json.id;
}

/** Bob opens a session from the bundle and sends; Alice's device decrypts with its own stores. */
async function exchange(
  from: { signal: SignalTestDevice; signalDeviceId: number },
  to: Member,
  toDevice: string,
  bundle: BundleJson,
  text: string,
) {
  const target = device(to, toDevice);
  await from.signal.openSession(to.userId, bundle, from.signalDeviceId);
  const sealed = await from.signal.encrypt(target.signal.address(bundle.signalDeviceId), text, from.signalDeviceId);
  return target.signal.decrypt(from.signal.address(from.signalDeviceId), sealed, target.signalDeviceId);
}

describe('POST /v1/users/{userId}/keys/claim', () => {
  it('serves one bundle per device that opens a libsignal session (PQXDH) and decrypts on that device', async () => {
    const alice = await member(['phone', 'laptop'], { ec: 2, kyber: 1 });
    const bob = await member(['phone']);
    await peers(alice, bob);
    const r = await claim(device(bob, 'phone').token, alice.userId);
    expect(r.status).toBe(200);
    expect(r.json.userId).toBe(alice.userId);
    expect(
      r.json.devices.map((d: BundleJson & { deviceId: string }) => [d.deviceId, d.signalDeviceId, d.preKey?.keyId, d.kyberPreKey]),
    ).toEqual([
      ['phone', 1, 1, expect.objectContaining({ keyId: 1, lastResort: false })],
      ['laptop', 2, 1, expect.objectContaining({ keyId: 1, lastResort: false })],
    ]);
    for (const bundle of r.json.devices as (BundleJson & { deviceId: string })[]) {
      expect(await exchange(device(bob, 'phone'), alice, bundle.deviceId, bundle, `hello ${bundle.deviceId}`)).toBe(
        `hello ${bundle.deviceId}`,
      );
    }
  });

  it('still opens sessions after the one-time keys ran out: no one-time EC prekey, the Kyber last resort', async () => {
    const alice = await member(['phone'], { ec: 1 });
    const bob = await member(['phone']);
    const carol = await member(['phone']);
    await peers(alice, bob, carol);
    await claim(device(carol, 'phone').token, alice.userId); // takes the only one-time key
    const drained = (await claim(device(bob, 'phone').token, alice.userId)).json.devices[0] as BundleJson;
    expect(drained.preKey).toBeUndefined();
    expect(drained.kyberPreKey).toMatchObject({ keyId: 900_000, lastResort: true });
    expect(await exchange(device(bob, 'phone'), alice, 'phone', drained, 'after the drain')).toBe('after the drain');
  });

  it("claims the caller's own other devices but never its own, and only the devices named", async () => {
    const alice = await member(['phone', 'laptop', 'tablet'], { ec: 3 });
    const own = await claim(device(alice, 'phone').token, alice.userId);
    expect(own.json.devices.map((d: { deviceId: string }) => d.deviceId)).toEqual(['laptop', 'tablet']);
    const named = await claim(device(alice, 'phone').token, alice.userId, { deviceIds: ['tablet', 'phone'] });
    expect(named.json.devices.map((d: { deviceId: string; preKey: { keyId: number } }) => [d.deviceId, d.preKey.keyId])).toEqual([
      ['tablet', 2],
    ]);
    const count = await platform.as(device(alice, 'phone').token, 'GET', '/v1/devices/phone/keys/count');
    expect(count.json.oneTimePreKeyCount).toBe(3);
  });

  it('refuses a user who shares no room with 403 ERR_KEYS_NOT_PEER, and the admin with 403 ERR_AUTH_FORBIDDEN', async () => {
    const alice = await member(['phone'], { ec: 1 });
    const stranger = await member(['phone']);
    const r = await claim(device(stranger, 'phone').token, alice.userId);
    expect([r.status, code(r)]).toEqual([403, 'ERR_KEYS_NOT_PEER']);
    const devices = await platform.as(device(stranger, 'phone').token, 'GET', `/v1/users/${alice.userId}/devices`);
    expect([devices.status, code(devices)]).toEqual([403, 'ERR_KEYS_NOT_PEER']);
    expect(code(await platform.admin('POST', `/v1/users/${alice.userId}/keys/claim`, {}))).toBe('ERR_AUTH_FORBIDDEN');
    expect((await platform.as(device(alice, 'phone').token, 'GET', '/v1/devices/phone/keys/count')).json.oneTimePreKeyCount).toBe(1);
  });

  it('rate-limits claims per caller with 429 ERR_RATE_LIMITED and Retry-After; refusals count, other callers are not affected', async () => {
    const alice = await member(['phone'], { ec: 20 });
    const mallory = await member(['phone']);
    const bob = await member(['phone']);
    await peers(alice, mallory, bob);
    const stranger = await member(['phone']);
    expect((await claim(device(mallory, 'phone').token, stranger.userId)).status).toBe(403); // costs a token too
    for (let i = 1; i < BURST; i += 1) expect((await claim(device(mallory, 'phone').token, alice.userId)).status).toBe(200);
    const refused = await claim(device(mallory, 'phone').token, alice.userId);
    expect([refused.status, code(refused)]).toEqual([429, 'ERR_RATE_LIMITED']);
    expect(refused.json.error.details.retryAfterMs).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBe(Math.ceil(refused.json.error.details.retryAfterMs / 1000));
    expect((await claim(device(bob, 'phone').token, alice.userId)).status).toBe(200);
    expect((await platform.as(device(alice, 'phone').token, 'GET', '/v1/devices/phone/keys/count')).json.oneTimePreKeyCount).toBe(
      20 - BURST,
    );
  });
});

describe('keys-low notice', () => {
  it("tells the user's devices once when a device's count drops below PREKEY_LOW_THRESHOLD, and once more at zero", async () => {
    const alice = await member(['phone'], { ec: 5, kyber: 4 });
    const bob = await member(['phone']);
    await peers(alice, bob);
    const watcher = await TestDevice.connect(
      platform.endpoints.mqtt,
      alice.userId,
      'watcher',
      await platform.tokenFor(alice.userId, 'watcher'),
    );
    const notices = () => watcher.inbox().flatMap((item) => ('keysLow' in item ? [item.keysLow] : []));

    const taken: number[] = [];
    for (let i = 0; i < 6; i += 1) taken.push((await claim(device(bob, 'phone').token, alice.userId)).json.devices[0].preKey?.keyId ?? 0);
    expect(taken).toEqual([1, 2, 3, 4, 5, 0]); // five keys, then none
    // A later inbox item as a marker: every notice the claims caused has arrived before it.
    await peers(alice, bob);
    await watcher.waitFor((o) => o.kind === 'inbox' && 'event' in o.item && o.item.event.kind === RoomEventKind.ROOM_EVENT_KIND_CREATED);
    // Counts after each claim, EC/Kyber: 4/3, 3/2, 2/1, 1/0, 0/0 (last resort), 0/0 (nothing taken).
    expect(notices()).toEqual([
      { deviceId: 'phone', remaining: 3, remainingKyber: 2 }, // Kyber dropped below 3
      { deviceId: 'phone', remaining: 2, remainingKyber: 1 }, // EC dropped below 3
      { deviceId: 'phone', remaining: 1, remainingKyber: 0 }, // the last one-time Kyber key went
      { deviceId: 'phone', remaining: 0, remainingKyber: 0 }, // the last one-time EC key went
    ]);
    await watcher.close();
  });
});

describe('GET /v1/users/{userId}/devices', () => {
  it("lists the identities of a peer's devices without claiming anything", async () => {
    const alice = await member(['phone', 'laptop'], { ec: 1 });
    const bob = await member(['phone']);
    await peers(alice, bob);
    const r = await platform.as(device(bob, 'phone').token, 'GET', `/v1/users/${alice.userId}/devices`);
    expect(r.json).toEqual({
      userId: alice.userId,
      devices: ['phone', 'laptop'].map((id, i) => ({
        deviceId: id,
        signalDeviceId: i + 1,
        registrationId: device(alice, id).signal.registrationId,
        identityKey: Buffer.from(device(alice, id).signal.identity.publicKey.serialize()).toString('base64'),
      })),
    });
    expect((await platform.as(device(alice, 'phone').token, 'GET', '/v1/devices/phone/keys/count')).json.oneTimePreKeyCount).toBe(1);
  });
});
