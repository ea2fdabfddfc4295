/**
 * One device's end-to-end encryption state in memory, with one of each prekey: what a peer needs
 * to open a session (its bundle) and what the device needs to answer (its stores). Shared by
 * `bench:e2ee` and the SDK tests that drive the sealer and opener without a platform.
 */
import {
  createE2eeStores,
  createMemoryKeyValueStore,
  type E2eeStores,
  type LocalIdentity,
  type PreKeyBundle,
  type SignalCrypto,
} from '@mqtt-chat/sdk';

export interface E2eeDevice {
  userId: string;
  stores: E2eeStores;
  identity: LocalIdentity;
  bundle: PreKeyBundle;
}

/** The libsignal address of `userId`'s only device. */
export const signalAddress = (userId: string) => ({ userId, deviceId: 1 });

export async function createE2eeDevice(crypto: SignalCrypto, userId: string): Promise<E2eeDevice> {
  const stores = createE2eeStores(createMemoryKeyValueStore());
  const identity = crypto.newIdentity();
  await stores.identity.setLocal(identity);
  const nowMs = Date.now();
  const signed = crypto.newSignedPreKey(identity, 1, nowMs);
  const kyber = crypto.newKyberPreKey(identity, 1, nowMs);
  const oneTime = crypto.newPreKey(1);
  await stores.signedPreKeys.set('1', { ...signed, createdAtMs: nowMs });
  await stores.kyberPreKeys.set('1', { ...kyber, createdAtMs: nowMs, lastResort: true });
  await stores.preKeys.set('1', oneTime);
  const bundle: PreKeyBundle = {
    registrationId: identity.registrationId,
    deviceId: 1,
    identityKey: identity.publicKey,
    signedPreKey: signed,
    preKey: { keyId: 1, publicKey: oneTime.publicKey },
    kyberPreKey: kyber,
  };
  return { userId, stores, identity, bundle };
}
