/**
 * libsignal's store interfaces over the SDK's stores (`../e2ee/stores.ts`): records go in and out
 * as libsignal's own serializations, so the SDK's stores keep bytes only and any backend (memory,
 * files, a phone's database) serves libsignal unchanged.
 */
import {
  IdentityChange,
  IdentityKeyPair,
  IdentityKeyStore,
  KyberPreKeyRecord,
  KyberPreKeyStore,
  PreKeyRecord,
  PreKeyStore,
  ProtocolAddress,
  PublicKey,
  SenderKeyRecord,
  SenderKeyStore,
  SessionRecord,
  SessionStore,
  SignedPreKeyRecord,
  SignedPreKeyStore,
  type Direction,
  type PrivateKey,
} from '@signalapp/libsignal-client';
import type { SignalAddress } from '../e2ee/crypto.js';
import { senderKeyKey, type E2eeStores } from '../e2ee/stores.js';

/** libsignal wants bytes over a plain ArrayBuffer; copies only what sits on another kind of buffer. */
export function plain(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

export const toProtocolAddress = (address: SignalAddress): ProtocolAddress => ProtocolAddress.new(address.userId, address.deviceId);
const fromProtocolAddress = (address: ProtocolAddress): SignalAddress => ({ userId: address.name(), deviceId: address.deviceId() });

export class SessionStoreAdapter extends SessionStore {
  constructor(private readonly stores: E2eeStores) {
    super();
  }
  override async saveSession(address: ProtocolAddress, record: SessionRecord): Promise<void> {
    await this.stores.sessions.set(address.toString(), record.serialize());
  }
  override async getSession(address: ProtocolAddress): Promise<SessionRecord | null> {
    const bytes = await this.stores.sessions.get(address.toString());
    return bytes === undefined ? null : SessionRecord.deserialize(plain(bytes));
  }
  override async getExistingSessions(addresses: ProtocolAddress[]): Promise<SessionRecord[]> {
    return Promise.all(
      addresses.map(async (address) => {
        const record = await this.getSession(address);
        if (record === null) throw new Error(`no session with ${address.toString()}`);
        return record;
      }),
    );
  }
}

export class IdentityStoreAdapter extends IdentityKeyStore {
  constructor(private readonly stores: E2eeStores) {
    super();
  }
  private async local() {
    const identity = await this.stores.identity.local();
    if (identity === undefined) throw new Error('this device has no identity yet');
    return identity;
  }
  override async getIdentityKey(): Promise<PrivateKey> {
    return IdentityKeyPair.deserialize(plain((await this.local()).keyPair)).privateKey;
  }
  override async getLocalRegistrationId(): Promise<number> {
    return (await this.local()).registrationId;
  }
  override async saveIdentity(address: ProtocolAddress, key: PublicKey): Promise<IdentityChange> {
    const saved = await this.stores.identity.saveRemote(fromProtocolAddress(address), key.serialize());
    return saved === 'replaced' ? IdentityChange.ReplacedExisting : IdentityChange.NewOrUnchanged;
  }
  /**
   * Trust on first use, and a changed key accepted and reported (the `identityChanged` event), as
   * Signal's apps do by default: the user verifies safety numbers to rule out a man in the middle.
   */
  override async isTrustedIdentity(_address: ProtocolAddress, _key: PublicKey, _direction: Direction): Promise<boolean> {
    return true;
  }
  override async getIdentity(address: ProtocolAddress): Promise<PublicKey | null> {
    const bytes = await this.stores.identity.remote(fromProtocolAddress(address));
    return bytes === undefined ? null : PublicKey.deserialize(plain(bytes));
  }
}

export class PreKeyStoreAdapter extends PreKeyStore {
  constructor(private readonly stores: E2eeStores) {
    super();
  }
  override async savePreKey(id: number, record: PreKeyRecord): Promise<void> {
    await this.stores.preKeys.set(String(id), { keyId: id, publicKey: record.publicKey().serialize(), record: record.serialize() });
  }
  override async getPreKey(id: number): Promise<PreKeyRecord> {
    const stored = await this.stores.preKeys.get(String(id));
    if (stored === undefined) throw new Error(`no one-time prekey ${id}`);
    return PreKeyRecord.deserialize(plain(stored.record));
  }
  override async removePreKey(id: number): Promise<void> {
    await this.stores.preKeys.delete(String(id));
  }
}

export class SignedPreKeyStoreAdapter extends SignedPreKeyStore {
  constructor(private readonly stores: E2eeStores) {
    super();
  }
  override async saveSignedPreKey(id: number, record: SignedPreKeyRecord): Promise<void> {
    await this.stores.signedPreKeys.set(String(id), {
      keyId: id,
      publicKey: record.publicKey().serialize(),
      signature: record.signature(),
      record: record.serialize(),
      createdAtMs: record.timestamp(),
    });
  }
  override async getSignedPreKey(id: number): Promise<SignedPreKeyRecord> {
    const stored = await this.stores.signedPreKeys.get(String(id));
    if (stored === undefined) throw new Error(`no signed prekey ${id}`);
    return SignedPreKeyRecord.deserialize(plain(stored.record));
  }
}

export class KyberPreKeyStoreAdapter extends KyberPreKeyStore {
  constructor(private readonly stores: E2eeStores) {
    super();
  }
  override async saveKyberPreKey(id: number, record: KyberPreKeyRecord): Promise<void> {
    await this.stores.kyberPreKeys.set(String(id), {
      keyId: id,
      publicKey: record.publicKey().serialize(),
      signature: record.signature(),
      record: record.serialize(),
      createdAtMs: record.timestamp(),
      lastResort: false,
    });
  }
  override async getKyberPreKey(id: number): Promise<KyberPreKeyRecord> {
    const stored = await this.stores.kyberPreKeys.get(String(id));
    if (stored === undefined) throw new Error(`no Kyber prekey ${id}`);
    return KyberPreKeyRecord.deserialize(plain(stored.record));
  }
  /** A one-time Kyber key is used up; the last-resort key serves every session that finds none, so it stays. */
  override async markKyberPreKeyUsed(id: number): Promise<void> {
    const stored = await this.stores.kyberPreKeys.get(String(id));
    if (stored !== undefined && !stored.lastResort) await this.stores.kyberPreKeys.delete(String(id));
  }
}

export class SenderKeyStoreAdapter extends SenderKeyStore {
  constructor(private readonly stores: E2eeStores) {
    super();
  }
  override async saveSenderKey(sender: ProtocolAddress, distributionId: string, record: SenderKeyRecord): Promise<void> {
    await this.stores.senderKeys.set(senderKeyKey(fromProtocolAddress(sender), distributionId), record.serialize());
  }
  override async getSenderKey(sender: ProtocolAddress, distributionId: string): Promise<SenderKeyRecord | null> {
    const bytes = await this.stores.senderKeys.get(senderKeyKey(fromProtocolAddress(sender), distributionId));
    return bytes === undefined ? null : SenderKeyRecord.deserialize(plain(bytes));
  }
}
