/**
 * The SDK's crypto port (`SignalCrypto`) implemented with libsignal (`@signalapp/libsignal-client`,
 * the library Signal's own apps use): PQXDH session set-up (X25519 + Kyber1024) from the bundles
 * the platform serves, the Double Ratchet, sender keys, and safety numbers (Fingerprint). A native
 * module: Node only, never part of a browser bundle.
 */
import { createHash, randomInt, randomUUID } from 'node:crypto';
import {
  CiphertextMessageType,
  Fingerprint,
  groupDecrypt,
  groupEncrypt,
  IdentityKeyPair,
  KEMKeyPair,
  KEMPublicKey,
  KyberPreKeyRecord,
  PreKeyBundle,
  PreKeyRecord,
  PreKeySignalMessage,
  PrivateKey,
  processPreKeyBundle,
  processSenderKeyDistributionMessage,
  PublicKey,
  ScannableFingerprint,
  SenderKeyDistributionMessage,
  signalDecrypt,
  signalDecryptPreKey,
  signalEncrypt,
  SignalMessage,
  SignedPreKeyRecord,
} from '@signalapp/libsignal-client';
import type { LocalIdentity, SignalCrypto } from '../e2ee/crypto.js';
import type { E2eeStores } from '../e2ee/stores.js';
import {
  IdentityStoreAdapter,
  KyberPreKeyStoreAdapter,
  plain,
  PreKeyStoreAdapter,
  SenderKeyStoreAdapter,
  SessionStoreAdapter,
  SignedPreKeyStoreAdapter,
  toProtocolAddress,
} from './libsignal-stores.js';

/** Signal's current safety-number parameters: version 2, 5200 iterations of SHA-512. */
const FINGERPRINT_VERSION = 2;
const FINGERPRINT_ITERATIONS = 5200;
/** Registration ids are 14 bits, never 0. */
const MAX_REGISTRATION_ID = 16_383;

interface Adapters {
  sessions: SessionStoreAdapter;
  identity: IdentityStoreAdapter;
  preKeys: PreKeyStoreAdapter;
  signedPreKeys: SignedPreKeyStoreAdapter;
  kyberPreKeys: KyberPreKeyStoreAdapter;
  senderKeys: SenderKeyStoreAdapter;
}

export function createLibsignalCrypto(): SignalCrypto {
  const adapters = new WeakMap<E2eeStores, Adapters>();
  const over = (stores: E2eeStores): Adapters => {
    let found = adapters.get(stores);
    if (found === undefined) {
      found = {
        sessions: new SessionStoreAdapter(stores),
        identity: new IdentityStoreAdapter(stores),
        preKeys: new PreKeyStoreAdapter(stores),
        signedPreKeys: new SignedPreKeyStoreAdapter(stores),
        kyberPreKeys: new KyberPreKeyStoreAdapter(stores),
        senderKeys: new SenderKeyStoreAdapter(stores),
      };
      adapters.set(stores, found);
    }
    return found;
  };
  const privateKeyOf = (identity: LocalIdentity) => IdentityKeyPair.deserialize(plain(identity.keyPair)).privateKey;
  const utf8 = (text: string) => new TextEncoder().encode(text);

  return {
    newIdentity() {
      const pair = IdentityKeyPair.generate();
      return { keyPair: pair.serialize(), publicKey: pair.publicKey.serialize(), registrationId: randomInt(1, MAX_REGISTRATION_ID + 1) };
    },
    newPreKey(keyId) {
      const key = PrivateKey.generate();
      const record = PreKeyRecord.new(keyId, key.getPublicKey(), key);
      return { keyId, publicKey: key.getPublicKey().serialize(), record: record.serialize() };
    },
    newSignedPreKey(identity, keyId, nowMs) {
      const key = PrivateKey.generate();
      const publicKey = key.getPublicKey().serialize();
      const signature = privateKeyOf(identity).sign(publicKey);
      const record = SignedPreKeyRecord.new(keyId, nowMs, key.getPublicKey(), key, signature);
      return { keyId, publicKey, signature, record: record.serialize() };
    },
    newKyberPreKey(identity, keyId, nowMs) {
      const pair = KEMKeyPair.generate();
      const publicKey = pair.getPublicKey().serialize();
      const signature = privateKeyOf(identity).sign(publicKey);
      return { keyId, publicKey, signature, record: KyberPreKeyRecord.new(keyId, nowMs, pair, signature).serialize() };
    },
    newDistributionId: () => randomUUID(),
    sha256: async (data) => new Uint8Array(createHash('sha256').update(data).digest()),

    async startSession(stores, local, remote, bundle) {
      const { sessions, identity } = over(stores);
      const preKeyBundle = PreKeyBundle.new(
        bundle.registrationId,
        bundle.deviceId,
        bundle.preKey?.keyId ?? null,
        bundle.preKey === undefined ? null : PublicKey.deserialize(plain(bundle.preKey.publicKey)),
        bundle.signedPreKey.keyId,
        PublicKey.deserialize(plain(bundle.signedPreKey.publicKey)),
        plain(bundle.signedPreKey.signature),
        PublicKey.deserialize(plain(bundle.identityKey)),
        bundle.kyberPreKey.keyId,
        KEMPublicKey.deserialize(plain(bundle.kyberPreKey.publicKey)),
        plain(bundle.kyberPreKey.signature),
      );
      await processPreKeyBundle(preKeyBundle, toProtocolAddress(remote), toProtocolAddress(local), sessions, identity);
    },
    async hasSession(stores, remote) {
      const record = await over(stores).sessions.getSession(toProtocolAddress(remote));
      return record?.hasCurrentState() ?? false;
    },
    async encrypt(stores, local, remote, plaintext) {
      const { sessions, identity } = over(stores);
      const message = await signalEncrypt(plain(plaintext), toProtocolAddress(remote), toProtocolAddress(local), sessions, identity);
      const type = message.type() === (CiphertextMessageType.PreKey as number) ? 'prekey' : 'whisper';
      return { type, body: message.serialize() };
    },
    async decrypt(stores, local, remote, ciphertext) {
      const a = over(stores);
      const [from, to] = [toProtocolAddress(remote), toProtocolAddress(local)];
      if (ciphertext.type === 'whisper') {
        const plaintext = await signalDecrypt(SignalMessage.deserialize(plain(ciphertext.body)), from, to, a.sessions, a.identity);
        return { plaintext, usedOneTimePreKey: undefined };
      }
      const message = PreKeySignalMessage.deserialize(plain(ciphertext.body));
      const plaintext = await signalDecryptPreKey(message, from, to, a.sessions, a.identity, a.preKeys, a.signedPreKeys, a.kyberPreKeys);
      return { plaintext, usedOneTimePreKey: message.preKeyId() !== null };
    },

    async senderKeyDistribution(stores, local, distributionId) {
      const message = await SenderKeyDistributionMessage.create(toProtocolAddress(local), distributionId, over(stores).senderKeys);
      return message.serialize();
    },
    async processSenderKeyDistribution(stores, sender, distribution) {
      const message = SenderKeyDistributionMessage.deserialize(plain(distribution));
      await processSenderKeyDistributionMessage(toProtocolAddress(sender), message, over(stores).senderKeys);
    },
    async groupEncrypt(stores, local, distributionId, plaintext) {
      const message = await groupEncrypt(toProtocolAddress(local), distributionId, over(stores).senderKeys, plain(plaintext));
      return message.serialize();
    },
    groupDecrypt: (stores, sender, ciphertext) => groupDecrypt(toProtocolAddress(sender), over(stores).senderKeys, plain(ciphertext)),

    safetyNumber(local, remote) {
      const fingerprint = Fingerprint.new(
        FINGERPRINT_ITERATIONS,
        FINGERPRINT_VERSION,
        utf8(local.id),
        PublicKey.deserialize(plain(local.identityKey)),
        utf8(remote.id),
        PublicKey.deserialize(plain(remote.identityKey)),
      );
      return { displayable: fingerprint.displayableFingerprint().toString(), scannable: fingerprint.scannableFingerprint().toBuffer() };
    },
    compareScannable(ours, scanned) {
      try {
        return ScannableFingerprint._fromBuffer(plain(ours)).compare(ScannableFingerprint._fromBuffer(plain(scanned)));
      } catch {
        return false; // not a scannable fingerprint at all
      }
    },
  };
}
