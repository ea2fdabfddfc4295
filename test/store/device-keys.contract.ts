/**
 * The key-distribution tables (docs/e2ee.md) on every database behind the `Db` port: uploads,
 * Signal device ids, rotation, one-time keys, and the claim that hands each one-time key out at
 * most once. The store does not validate keys (the API does, with libsignal), so random bytes of
 * the right sizes stand in for them here.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addOneTimePreKeys,
  claimPreKeyBundles,
  countOneTimePreKeys,
  createUser,
  deleteDeviceKeys,
  listDeviceIdentities,
  readDeviceKeys,
  replaceDeviceKeys,
  rotateSignedPreKeys,
  type Db,
  type DeviceKeyUpload,
  type DeviceRef,
  type SignedPreKey,
} from '../../store/index.js';

const ecKey = () => new Uint8Array([0x05, ...randomBytes(32)]);
const kyberKey = () => new Uint8Array([0x08, ...randomBytes(1568)]);
const signature = () => new Uint8Array(randomBytes(64));
const signed = (keyId: number, publicKey = ecKey()): SignedPreKey => ({ keyId, publicKey, signature: signature() });
const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

function upload(over: Partial<DeviceKeyUpload> & { ec?: number; kyber?: number } = {}): DeviceKeyUpload {
  const { ec = 0, kyber = 0, ...rest } = over;
  return {
    registrationId: 4242,
    identityKey: ecKey(),
    signedPreKey: signed(1),
    kyberLastResortPreKey: signed(1_000_000, kyberKey()),
    oneTimePreKeys: range(1, ec).map((keyId) => ({ keyId, publicKey: ecKey() })),
    kyberOneTimePreKeys: range(1, kyber).map((keyId) => signed(keyId, kyberKey())),
    ...rest,
  };
}

const noCheck = () => undefined;

export function describeDeviceKeysContract(name: string, open: () => Promise<{ db: Db; close: () => Promise<void> }>): void {
  describe(`device keys: ${name}`, () => {
    let db: Db;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ db, close } = await open());
    });
    afterAll(async () => close());

    const newUser = async () => (await createUser(db, { name: 'u' })).id;
    const device = (userId: string, deviceId = 'phone'): DeviceRef => ({ userId, deviceId });

    it('gives each new device the smallest free Signal device id, keeps it across replacements and frees it on delete', async () => {
      const user = await newUser();
      const first = await replaceDeviceKeys(db, device(user, 'phone'), upload(), 1);
      const second = await replaceDeviceKeys(db, device(user, 'laptop'), upload(), 2);
      expect([first, second].map((o) => [o.signalDeviceId, o.created])).toEqual([
        [1, true],
        [2, true],
      ]);
      const again = await replaceDeviceKeys(db, device(user, 'phone'), upload(), 3);
      expect(again).toMatchObject({ signalDeviceId: 1, created: false });
      expect(await deleteDeviceKeys(db, device(user, 'phone'))).toBe(true);
      expect(await deleteDeviceKeys(db, device(user, 'phone'))).toBe(false);
      expect((await replaceDeviceKeys(db, device(user, 'tablet'), upload(), 4)).signalDeviceId).toBe(1);
      expect((await listDeviceIdentities(db, user)).map((d) => [d.signalDeviceId, d.deviceId])).toEqual([
        [1, 'tablet'],
        [2, 'laptop'],
      ]);
    });

    it('refuses a 128th device with ERR_KEYS_DEVICE_LIMIT, and an unknown user with ERR_USER_NOT_FOUND', async () => {
      const user = await newUser();
      for (const n of range(1, 127)) await replaceDeviceKeys(db, device(user, `d${n}`), upload(), n);
      await expect(replaceDeviceKeys(db, device(user, 'd128'), upload(), 128)).rejects.toMatchObject({ code: 'ERR_KEYS_DEVICE_LIMIT' });
      await expect(replaceDeviceKeys(db, device('ghost'), upload(), 1)).rejects.toMatchObject({ code: 'ERR_USER_NOT_FOUND' });
    });

    it('tells a changed identity key from a re-upload of the same one, and drops the old one-time keys on replacement', async () => {
      const user = await newUser();
      const keys = upload({ ec: 5, kyber: 2 });
      await replaceDeviceKeys(db, device(user), keys, 1);
      const same = await replaceDeviceKeys(db, device(user), { ...keys, oneTimePreKeys: [], kyberOneTimePreKeys: [] }, 2);
      expect(same).toMatchObject({ identityChanged: false, counts: { ec: 0, kyber: 0 } });
      expect(await countOneTimePreKeys(db, device(user))).toEqual({ ec: 0, kyber: 0 });
      const other = await replaceDeviceKeys(db, device(user), upload({ ec: 3 }), 3);
      expect(other).toMatchObject({ identityChanged: true, created: false, counts: { ec: 3, kyber: 0 } });
    });

    it('reads back every key byte for byte, one-time keys ascending by id', async () => {
      const user = await newUser();
      const keys = upload({ ec: 3, kyber: 2 });
      const reversed = { ...keys, oneTimePreKeys: [...keys.oneTimePreKeys].reverse() };
      const { signalDeviceId } = await replaceDeviceKeys(db, device(user), reversed, 1);
      expect(await readDeviceKeys(db, device(user))).toEqual({
        deviceId: 'phone',
        signalDeviceId,
        registrationId: keys.registrationId,
        identityKey: keys.identityKey,
        signedPreKey: keys.signedPreKey,
        kyberLastResortPreKey: keys.kyberLastResortPreKey,
        oneTimePreKeys: keys.oneTimePreKeys,
        kyberOneTimePreKeys: keys.kyberOneTimePreKeys,
      });
      expect(await readDeviceKeys(db, device(user, 'none'))).toBeUndefined();
      expect(await countOneTimePreKeys(db, device(user, 'none'))).toBeUndefined();
    });

    it('rotates the signed and Kyber last-resort prekeys after checking them against the stored identity', async () => {
      const user = await newUser();
      const keys = upload();
      await replaceDeviceKeys(db, device(user), keys, 1);
      const seen: Uint8Array[] = [];
      await rotateSignedPreKeys(db, device(user), { signedPreKey: signed(2) }, (identity) => void seen.push(identity), 2);
      expect(seen).toEqual([keys.identityKey]);
      const refused = rotateSignedPreKeys(
        db,
        device(user),
        { kyberLastResortPreKey: signed(9, kyberKey()) },
        () => {
          throw new Error('bad signature');
        },
        3,
      );
      await expect(refused).rejects.toThrow('bad signature');
      const stored = await readDeviceKeys(db, device(user));
      expect([stored?.signedPreKey.keyId, stored?.kyberLastResortPreKey]).toEqual([2, keys.kyberLastResortPreKey]);
      await expect(rotateSignedPreKeys(db, device(user, 'none'), { signedPreKey: signed(2) }, noCheck, 4)).rejects.toMatchObject({
        code: 'ERR_KEYS_NOT_FOUND',
      });
    });

    it('adds one-time keys, skips a retried one, refuses an id held with another key and more than the maximum', async () => {
      const user = await newUser();
      const keys = upload({ ec: 2 });
      await replaceDeviceKeys(db, device(user), keys, 1);
      const more = { ec: [{ keyId: 3, publicKey: ecKey() }, ...keys.oneTimePreKeys], kyber: [signed(7, kyberKey())] };
      expect(await addOneTimePreKeys(db, device(user), more, noCheck)).toEqual({ ec: 3, kyber: 1 });
      expect(await addOneTimePreKeys(db, device(user), more, noCheck)).toEqual({ ec: 3, kyber: 1 });
      const clash = {
        ec: [
          { keyId: 10, publicKey: ecKey() },
          { keyId: 3, publicKey: ecKey() },
        ],
        kyber: [],
      };
      await expect(addOneTimePreKeys(db, device(user), clash, noCheck)).rejects.toMatchObject({
        code: 'ERR_KEYS_ID_IN_USE',
        details: { kind: 'ec', keyId: 3 },
      });
      const tooMany = { ec: range(100, 5).map((keyId) => ({ keyId, publicKey: ecKey() })), kyber: [] };
      await expect(addOneTimePreKeys(db, device(user), tooMany, noCheck, 6)).rejects.toMatchObject({ code: 'ERR_KEYS_STORE_FULL' });
      expect(await countOneTimePreKeys(db, device(user))).toEqual({ ec: 3, kyber: 1 });
      await expect(addOneTimePreKeys(db, device(user, 'none'), more, noCheck)).rejects.toMatchObject({ code: 'ERR_KEYS_NOT_FOUND' });
    });

    it('claims the lowest one-time keys, one per device, then serves no EC prekey and the Kyber last resort', async () => {
      const user = await newUser();
      const phone = upload({ ec: 2, kyber: 1 });
      await replaceDeviceKeys(db, device(user, 'phone'), phone, 1);
      await replaceDeviceKeys(db, device(user, 'laptop'), upload({ ec: 1 }), 1);
      const claims = [];
      for (let i = 0; i < 3; i += 1) claims.push(await claimPreKeyBundles(db, { userId: user }));
      const phoneClaims = claims.map((bundles) => bundles.find((b) => b.deviceId === 'phone')!);
      expect(phoneClaims.map((b) => [b.preKey?.keyId, b.kyberPreKey.keyId, b.kyberPreKey.lastResort, b.remaining])).toEqual([
        [1, 1, false, { ec: 1, kyber: 0 }],
        [2, 1_000_000, true, { ec: 0, kyber: 0 }],
        [undefined, 1_000_000, true, { ec: 0, kyber: 0 }],
      ]);
      expect(phoneClaims[0]).toMatchObject({
        signalDeviceId: 1,
        registrationId: phone.registrationId,
        identityKey: phone.identityKey,
        signedPreKey: phone.signedPreKey,
        preKey: phone.oneTimePreKeys[0],
        kyberPreKey: { ...phone.kyberOneTimePreKeys[0], lastResort: false },
      });
      expect(phoneClaims[2]).not.toHaveProperty('preKey');
      expect(claims.map((bundles) => bundles.map((b) => b.deviceId))).toEqual(Array(3).fill(['phone', 'laptop']));
    });

    it("claims only the devices asked for, never the caller's own, and nothing for a user without keys", async () => {
      const user = await newUser();
      for (const id of ['a', 'b', 'c']) await replaceDeviceKeys(db, device(user, id), upload({ ec: 1 }), 1);
      expect((await claimPreKeyBundles(db, { userId: user, deviceIds: ['b', 'x'] })).map((b) => b.deviceId)).toEqual(['b']);
      expect((await claimPreKeyBundles(db, { userId: user, excludeDeviceId: 'a' })).map((b) => [b.deviceId, b.remaining.ec])).toEqual([
        ['b', 0],
        ['c', 0],
      ]);
      expect(await countOneTimePreKeys(db, device(user, 'a'))).toEqual({ ec: 1, kyber: 0 });
      expect(await claimPreKeyBundles(db, { userId: await newUser() })).toEqual([]);
    });

    it('hands every one-time key out exactly once to many concurrent claims, with exact remaining counts', async () => {
      const user = await newUser();
      const keyCount = 60;
      const claimCount = 90;
      await replaceDeviceKeys(db, device(user, 'phone'), upload({ ec: keyCount, kyber: keyCount / 2 }), 1);
      await replaceDeviceKeys(db, device(user, 'laptop'), upload({ ec: keyCount }), 1);
      const claims = await Promise.all(Array.from({ length: claimCount }, () => claimPreKeyBundles(db, { userId: user })));
      for (const deviceId of ['phone', 'laptop']) {
        const bundles = claims.map((c) => c.find((b) => b.deviceId === deviceId)!);
        const taken = bundles.flatMap((b) => (b.preKey === undefined ? [] : [b.preKey.keyId]));
        // Each key once (no duplicates), and all of them (none lost: the device has none left).
        expect(taken.sort((a, b) => a - b)).toEqual(range(1, keyCount));
        expect(await countOneTimePreKeys(db, device(user, deviceId))).toMatchObject({ ec: 0 });
        // The counts each claim saw are exact: every value from keyCount-1 down to 0 once while keys lasted.
        const seen = bundles.filter((b) => b.preKey !== undefined).map((b) => b.remaining.ec);
        expect(seen.sort((a, b) => b - a)).toEqual(range(0, keyCount).reverse());
      }
      const phoneKyber = claims.map((c) => c.find((b) => b.deviceId === 'phone')!.kyberPreKey);
      const oneTimeKyber = phoneKyber.filter((k) => !k.lastResort).map((k) => k.keyId);
      expect(oneTimeKyber.sort((a, b) => a - b)).toEqual(range(1, keyCount / 2));
      expect(phoneKyber.filter((k) => k.lastResort)).toHaveLength(claimCount - keyCount / 2);
    });
  });
}
