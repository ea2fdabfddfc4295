/**
 * The libsignal implementation of the SDK's crypto port, over the SDK's own stores: PQXDH from a
 * bundle (with and without a one-time EC key), the Double Ratchet in both directions, sender keys
 * and their rotation, and safety numbers that both sides compute alike and that change with an
 * identity key.
 */
import { describe, expect, it } from 'vitest';
import {
  createE2eeStores,
  createMemoryKeyValueStore,
  type E2eeStores,
  type LocalIdentity,
  type PreKeyBundle,
  type SignalAddress,
} from '@mqtt-chat/sdk';
import { createLibsignalCrypto } from '@mqtt-chat/sdk/e2ee-node';

const crypto = createLibsignalCrypto();
const [D1, D2] = [crypto.newDistributionId(), crypto.newDistributionId()];
const text = (s: string) => new TextEncoder().encode(s);
const read = (b: Uint8Array) => new TextDecoder().decode(b);

interface Device {
  address: SignalAddress;
  identity: LocalIdentity;
  stores: E2eeStores;
  bundle(withOneTimeKey: boolean): PreKeyBundle;
}

async function device(userId: string, deviceId: number): Promise<Device> {
  const stores = createE2eeStores(createMemoryKeyValueStore());
  const identity = crypto.newIdentity();
  await stores.identity.setLocal(identity);
  const signed = crypto.newSignedPreKey(identity, 1, Date.now());
  await stores.signedPreKeys.set('1', { ...signed, createdAtMs: Date.now() });
  const lastResort = crypto.newKyberPreKey(identity, 100, Date.now());
  await stores.kyberPreKeys.set('100', { ...lastResort, createdAtMs: Date.now(), lastResort: true });
  const oneTime = crypto.newPreKey(7);
  await stores.preKeys.set('7', oneTime);
  return {
    address: { userId, deviceId },
    identity,
    stores,
    bundle: (withOneTimeKey) => ({
      registrationId: identity.registrationId,
      deviceId,
      identityKey: identity.publicKey,
      signedPreKey: signed,
      ...(withOneTimeKey ? { preKey: { keyId: 7, publicKey: oneTime.publicKey } } : {}),
      kyberPreKey: lastResort,
    }),
  };
}

describe('libsignal crypto', () => {
  it('opens a session from a bundle and runs the Double Ratchet both ways (PreKey messages until the first answer)', async () => {
    const [alice, bob] = [await device('alice', 1), await device('bob', 3)];
    await crypto.startSession(alice.stores, alice.address, bob.address, bob.bundle(true));
    expect(await crypto.hasSession(alice.stores, bob.address)).toBe(true);
    const first = await crypto.encrypt(alice.stores, alice.address, bob.address, text('hello'));
    const second = await crypto.encrypt(alice.stores, alice.address, bob.address, text('again'));
    expect([first.type, second.type]).toEqual(['prekey', 'prekey']);
    const opened = await crypto.decrypt(bob.stores, bob.address, alice.address, first);
    expect([read(opened.plaintext), opened.usedOneTimePreKey]).toEqual(['hello', true]);
    expect(await bob.stores.preKeys.get('7')).toBeUndefined(); // a one-time key is used once
    expect(read((await crypto.decrypt(bob.stores, bob.address, alice.address, second)).plaintext)).toBe('again');
    const answer = await crypto.encrypt(bob.stores, bob.address, alice.address, text('hi'));
    expect(answer.type).toBe('whisper');
    expect(read((await crypto.decrypt(alice.stores, alice.address, bob.address, answer)).plaintext)).toBe('hi');
    expect((await crypto.encrypt(alice.stores, alice.address, bob.address, text('now whisper'))).type).toBe('whisper');
    await expect(crypto.decrypt(bob.stores, bob.address, alice.address, first)).rejects.toThrow(); // no replay
  });

  it('opens a session on the Kyber last-resort key alone when no one-time EC key is left, and keeps the last-resort key', async () => {
    const [alice, bob] = [await device('alice', 1), await device('bob', 3)];
    await crypto.startSession(alice.stores, alice.address, bob.address, bob.bundle(false));
    const message = await crypto.encrypt(alice.stores, alice.address, bob.address, text('no one-time key'));
    const opened = await crypto.decrypt(bob.stores, bob.address, alice.address, message);
    expect([read(opened.plaintext), opened.usedOneTimePreKey]).toEqual(['no one-time key', false]);
    expect(await bob.stores.kyberPreKeys.get('100')).toBeDefined();
  });

  it('hands out a sender key pairwise, encrypts once for the group, and a new chain locks out its old holders', async () => {
    const [alice, bob, carol] = [await device('alice', 1), await device('bob', 1), await device('carol', 2)];
    const distribution = await crypto.senderKeyDistribution(alice.stores, alice.address, D1);
    for (const member of [bob, carol]) await crypto.processSenderKeyDistribution(member.stores, alice.address, distribution);
    const message = await crypto.groupEncrypt(alice.stores, alice.address, D1, text('to the group'));
    for (const member of [bob, carol]) expect(read(await crypto.groupDecrypt(member.stores, alice.address, message))).toBe('to the group');

    const next = await crypto.senderKeyDistribution(alice.stores, alice.address, D2);
    await crypto.processSenderKeyDistribution(bob.stores, alice.address, next);
    const later = await crypto.groupEncrypt(alice.stores, alice.address, D2, text('without carol'));
    expect(read(await crypto.groupDecrypt(bob.stores, alice.address, later))).toBe('without carol');
    await expect(crypto.groupDecrypt(carol.stores, alice.address, later)).rejects.toThrow(/sender key/);
  });

  it('computes the same safety number on both sides, and another one once an identity key changes', async () => {
    const [alice, bob] = [await device('alice', 1), await device('bob', 1)];
    const aliceSide = crypto.safetyNumber(
      { id: 'alice', identityKey: alice.identity.publicKey },
      { id: 'bob', identityKey: bob.identity.publicKey },
    );
    const bobSide = crypto.safetyNumber(
      { id: 'bob', identityKey: bob.identity.publicKey },
      { id: 'alice', identityKey: alice.identity.publicKey },
    );
    expect(aliceSide.displayable).toMatch(/^\d{60}$/);
    expect(bobSide.displayable).toBe(aliceSide.displayable);
    expect(crypto.compareScannable(aliceSide.scannable, bobSide.scannable)).toBe(true);

    const reinstalled = crypto.newIdentity();
    const afterwards = crypto.safetyNumber(
      { id: 'bob', identityKey: bob.identity.publicKey },
      { id: 'alice', identityKey: reinstalled.publicKey },
    );
    expect(afterwards.displayable).not.toBe(aliceSide.displayable);
    expect(crypto.compareScannable(afterwards.scannable, aliceSide.scannable)).toBe(false);
    expect(crypto.compareScannable(afterwards.scannable, new Uint8Array([1, 2, 3]))).toBe(false);
  });
});
