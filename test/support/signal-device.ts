/**
 * A device's side of Signal key distribution, for tests: real libsignal keys and in-memory
 * stores, the JSON bodies of the key calls, and a session opened from a claimed bundle. It shows
 * that what the server stores and serves is enough for libsignal's PQXDH and Double Ratchet.
 */
import {
  CiphertextMessageType,
  IdentityChange,
  IdentityKeyPair,
  IdentityKeyStore,
  KEMKeyPair,
  KEMPublicKey,
  KyberPreKeyRecord,
  KyberPreKeyStore,
  PreKeyBundle,
  PreKeyRecord,
  PreKeySignalMessage,
  PreKeyStore,
  PrivateKey,
  ProtocolAddress,
  PublicKey,
  SessionRecord,
  SessionStore,
  SignalMessage,
  SignedPreKeyRecord,
  SignedPreKeyStore,
  processPreKeyBundle,
  signalDecrypt,
  signalDecryptPreKey,
  signalEncrypt,
  type CiphertextMessage,
  type Direction,
} from '@signalapp/libsignal-client';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const fromB64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

class MemorySessions extends SessionStore {
  readonly sessions = new Map<string, Uint8Array<ArrayBuffer>>();
  async saveSession(address: ProtocolAddress, record: SessionRecord) {
    this.sessions.set(address.toString(), record.serialize());
  }
  async getSession(address: ProtocolAddress) {
    const bytes = this.sessions.get(address.toString());
    return bytes === undefined ? null : SessionRecord.deserialize(bytes);
  }
  async getExistingSessions(addresses: ProtocolAddress[]) {
    return Promise.all(addresses.map(async (a) => (await this.getSession(a))!));
  }
}

class MemoryIdentities extends IdentityKeyStore {
  readonly known = new Map<string, PublicKey>();
  constructor(
    private readonly pair: IdentityKeyPair,
    private readonly registrationId: number,
  ) {
    super();
  }
  async getIdentityKey() {
    return this.pair.privateKey;
  }
  async getLocalRegistrationId() {
    return this.registrationId;
  }
  async saveIdentity(address: ProtocolAddress, key: PublicKey) {
    const before = this.known.get(address.toString());
    this.known.set(address.toString(), key);
    return before !== undefined && !before.equals(key) ? IdentityChange.ReplacedExisting : IdentityChange.NewOrUnchanged;
  }
  // Trust on first use: enough for these tests; an app asks its user to verify safety numbers.
  async isTrustedIdentity(address: ProtocolAddress, key: PublicKey, _direction: Direction) {
    const known = this.known.get(address.toString());
    return known === undefined || known.equals(key);
  }
  async getIdentity(address: ProtocolAddress) {
    return this.known.get(address.toString()) ?? null;
  }
}

class MemoryPreKeys extends PreKeyStore {
  readonly keys = new Map<number, PreKeyRecord>();
  async savePreKey(id: number, record: PreKeyRecord) {
    this.keys.set(id, record);
  }
  async getPreKey(id: number) {
    const record = this.keys.get(id);
    if (record === undefined) throw new Error(`no prekey ${id}`);
    return record;
  }
  async removePreKey(id: number) {
    this.keys.delete(id);
  }
}

class MemorySignedPreKeys extends SignedPreKeyStore {
  readonly keys = new Map<number, SignedPreKeyRecord>();
  async saveSignedPreKey(id: number, record: SignedPreKeyRecord) {
    this.keys.set(id, record);
  }
  async getSignedPreKey(id: number) {
    const record = this.keys.get(id);
    if (record === undefined) throw new Error(`no signed prekey ${id}`);
    return record;
  }
}

class MemoryKyberPreKeys extends KyberPreKeyStore {
  readonly keys = new Map<number, KyberPreKeyRecord>();
  readonly lastResortIds = new Set<number>();
  async saveKyberPreKey(id: number, record: KyberPreKeyRecord) {
    this.keys.set(id, record);
  }
  async getKyberPreKey(id: number) {
    const record = this.keys.get(id);
    if (record === undefined) throw new Error(`no Kyber prekey ${id}`);
    return record;
  }
  async markKyberPreKeyUsed(id: number) {
    if (!this.lastResortIds.has(id)) this.keys.delete(id);
  }
}

export interface SignalTestDevice {
  readonly userId: string;
  readonly identity: IdentityKeyPair;
  readonly registrationId: number;
  address(signalDeviceId: number): ProtocolAddress;
  /** The full upload (PUT .../keys): `ec` one-time EC prekeys and `kyber` one-time Kyber prekeys from id `firstId`. */
  uploadBody(options?: { ec?: number; kyber?: number; firstId?: number }): Record<string, unknown>;
  oneTimeBody(options: { ec?: number; kyber?: number; firstId: number }): Record<string, unknown>;
  signedPreKeyBody(keyId: number): { keyId: number; publicKey: string; signature: string };
  kyberPreKeyBody(keyId: number, lastResort?: boolean): { keyId: number; publicKey: string; signature: string };
  /** Opens a session from one device entry of a claim answer. */
  openSession(peerUserId: string, bundle: BundleJson, localSignalDeviceId: number): Promise<void>;
  encrypt(to: ProtocolAddress, text: string, localSignalDeviceId: number): Promise<CiphertextMessage>;
  decrypt(from: ProtocolAddress, message: CiphertextMessage, localSignalDeviceId: number): Promise<string>;
}

export interface BundleJson {
  signalDeviceId: number;
  registrationId: number;
  identityKey: string;
  signedPreKey: { keyId: number; publicKey: string; signature: string };
  preKey?: { keyId: number; publicKey: string };
  kyberPreKey: { keyId: number; publicKey: string; signature: string; lastResort: boolean };
}

export function createSignalTestDevice(
  userId: string,
  options: { identity?: IdentityKeyPair; registrationId?: number } = {},
): SignalTestDevice {
  const identity = options.identity ?? IdentityKeyPair.generate();
  const registrationId = options.registrationId ?? 1 + Math.floor(Math.random() * 16_000);
  const sessions = new MemorySessions();
  const identities = new MemoryIdentities(identity, registrationId);
  const preKeys = new MemoryPreKeys();
  const signedPreKeys = new MemorySignedPreKeys();
  const kyberPreKeys = new MemoryKyberPreKeys();

  function ecOneTime(keyId: number) {
    const key = PrivateKey.generate();
    void preKeys.savePreKey(keyId, PreKeyRecord.new(keyId, key.getPublicKey(), key));
    return { keyId, publicKey: b64(key.getPublicKey().serialize()) };
  }
  function signedPreKeyBody(keyId: number) {
    const key = PrivateKey.generate();
    const signature = identity.privateKey.sign(key.getPublicKey().serialize());
    void signedPreKeys.saveSignedPreKey(keyId, SignedPreKeyRecord.new(keyId, Date.now(), key.getPublicKey(), key, signature));
    return { keyId, publicKey: b64(key.getPublicKey().serialize()), signature: b64(signature) };
  }
  function kyberPreKeyBody(keyId: number, lastResort = false) {
    const pair = KEMKeyPair.generate();
    const signature = identity.privateKey.sign(pair.getPublicKey().serialize());
    void kyberPreKeys.saveKyberPreKey(keyId, KyberPreKeyRecord.new(keyId, Date.now(), pair, signature));
    if (lastResort) kyberPreKeys.lastResortIds.add(keyId);
    return { keyId, publicKey: b64(pair.getPublicKey().serialize()), signature: b64(signature) };
  }
  const ids = (firstId: number, count: number) => Array.from({ length: count }, (_, i) => firstId + i);
  const address = (signalDeviceId: number) => ProtocolAddress.new(userId, signalDeviceId);

  return {
    userId,
    identity,
    registrationId,
    address,
    signedPreKeyBody,
    kyberPreKeyBody,
    uploadBody({ ec = 5, kyber = 0, firstId = 1 } = {}) {
      return {
        registrationId,
        identityKey: b64(identity.publicKey.serialize()),
        signedPreKey: signedPreKeyBody(1),
        kyberLastResortPreKey: kyberPreKeyBody(900_000, true),
        oneTimePreKeys: ids(firstId, ec).map(ecOneTime),
        kyberOneTimePreKeys: ids(firstId, kyber).map((id) => kyberPreKeyBody(id)),
      };
    },
    oneTimeBody({ ec = 0, kyber = 0, firstId }) {
      return { oneTimePreKeys: ids(firstId, ec).map(ecOneTime), kyberOneTimePreKeys: ids(firstId, kyber).map((id) => kyberPreKeyBody(id)) };
    },
    async openSession(peerUserId, bundle, localSignalDeviceId) {
      const preKeyBundle = PreKeyBundle.new(
        bundle.registrationId,
        bundle.signalDeviceId,
        bundle.preKey?.keyId ?? null,
        bundle.preKey === undefined ? null : PublicKey.deserialize(fromB64(bundle.preKey.publicKey)),
        bundle.signedPreKey.keyId,
        PublicKey.deserialize(fromB64(bundle.signedPreKey.publicKey)),
        fromB64(bundle.signedPreKey.signature),
        PublicKey.deserialize(fromB64(bundle.identityKey)),
        bundle.kyberPreKey.keyId,
        KEMPublicKey.deserialize(fromB64(bundle.kyberPreKey.publicKey)),
        fromB64(bundle.kyberPreKey.signature),
      );
      const peer = ProtocolAddress.new(peerUserId, bundle.signalDeviceId);
      await processPreKeyBundle(preKeyBundle, peer, address(localSignalDeviceId), sessions, identities);
    },
    encrypt: (to, text, localSignalDeviceId) =>
      signalEncrypt(new TextEncoder().encode(text), to, address(localSignalDeviceId), sessions, identities),
    async decrypt(from, message, localSignalDeviceId) {
      const local = address(localSignalDeviceId);
      const plaintext =
        message.type() === (CiphertextMessageType.PreKey as number)
          ? await signalDecryptPreKey(
              PreKeySignalMessage.deserialize(message.serialize()),
              from,
              local,
              sessions,
              identities,
              preKeys,
              signedPreKeys,
              kyberPreKeys,
            )
          : await signalDecrypt(SignalMessage.deserialize(message.serialize()), from, local, sessions, identities);
      return new TextDecoder().decode(plaintext);
    },
  };
}
