/**
 * Where a device keeps its end-to-end state: its identity, the identities of the devices it talks
 * to (trust on first use), Double Ratchet sessions, its prekeys (one-time, signed, Kyber), sender
 * keys, and the SDK's own bookkeeping (key ids, upload state, the sender key of each room). Typed
 * stores, built over a `KeyValueStore` that backs them: in memory here (`createMemoryKeyValueStore`),
 * one file per key in Node (`@mqtt-chat/sdk/e2ee-node`), IndexedDB or a phone's keychain elsewhere.
 *
 * Everything is persisted before it is relied on: the SDK calls `flush()` after each encryption
 * before the ciphertext leaves, and after each decryption, so a restart never reuses a ratchet key.
 */
import { decodeJson, encodeJson, sameBytes } from './bytes.js';
import { addressKey, type LocalIdentity, type SignalAddress } from './crypto.js';

/** The storage a backend provides: byte values under string keys. */
export interface KeyValueStore {
  get(key: string): Promise<Uint8Array | undefined>;
  set(key: string, value: Uint8Array): Promise<void>;
  delete(key: string): Promise<void>;
  /** The keys that start with `prefix`. */
  keys(prefix: string): Promise<string[]>;
  /** Makes every change so far durable (a file-backed store writes them; memory has nothing to do). */
  flush(): Promise<void>;
}

export interface RecordStore<V> {
  get(key: string): Promise<V | undefined>;
  set(key: string, value: V): Promise<void>;
  delete(key: string): Promise<void>;
  keys(): Promise<string[]>;
}

export interface StoredPreKey {
  keyId: number;
  publicKey: Uint8Array;
  record: Uint8Array;
}

export interface StoredSignedPreKey extends StoredPreKey {
  signature: Uint8Array;
  createdAtMs: number;
  /** When a newer key took its place; kept for a grace period for messages already built on it. */
  replacedAtMs?: number;
}

export interface StoredKyberPreKey extends StoredSignedPreKey {
  /** The last-resort key: reused by every session that finds no one-time Kyber key, so never removed on use. */
  lastResort: boolean;
}

export type IdentitySaved = 'new' | 'unchanged' | 'replaced';

export interface IdentityStore {
  local(): Promise<LocalIdentity | undefined>;
  setLocal(identity: LocalIdentity): Promise<void>;
  remote(address: SignalAddress): Promise<Uint8Array | undefined>;
  /** Remembers `identityKey` for `address`; says whether another one was known before. */
  saveRemote(address: SignalAddress, identityKey: Uint8Array): Promise<IdentitySaved>;
}

export interface E2eeStores {
  identity: IdentityStore;
  /** Serialized session records, by `addressKey`. */
  sessions: RecordStore<Uint8Array>;
  /** By key id. */
  preKeys: RecordStore<StoredPreKey>;
  signedPreKeys: RecordStore<StoredSignedPreKey>;
  kyberPreKeys: RecordStore<StoredKyberPreKey>;
  /** Serialized sender-key records, by `senderKeyKey`. */
  senderKeys: RecordStore<Uint8Array>;
  /** The SDK's bookkeeping (see `key-state.ts`, `room-keys.ts`). */
  state: RecordStore<unknown>;
  flush(): Promise<void>;
}

export const senderKeyKey = (sender: SignalAddress, distributionId: string): string => `${addressKey(sender)}::${distributionId}`;

export function createMemoryKeyValueStore(): KeyValueStore {
  const values = new Map<string, Uint8Array>();
  return {
    get: (key) => Promise.resolve(values.get(key)),
    async set(key, value) {
      values.set(key, value);
    },
    async delete(key) {
      values.delete(key);
    },
    keys: (prefix) => Promise.resolve([...values.keys()].filter((key) => key.startsWith(prefix))),
    flush: () => Promise.resolve(),
  };
}

function recordStore<V>(kv: KeyValueStore, prefix: string, encode: (value: V) => Uint8Array, decode: (bytes: Uint8Array) => V) {
  const store: RecordStore<V> = {
    async get(key) {
      const bytes = await kv.get(prefix + key);
      return bytes === undefined ? undefined : decode(bytes);
    },
    set: (key, value) => kv.set(prefix + key, encode(value)),
    delete: (key) => kv.delete(prefix + key),
    keys: async () => (await kv.keys(prefix)).map((key) => key.slice(prefix.length)),
  };
  return store;
}

const raw = <V extends Uint8Array>(kv: KeyValueStore, prefix: string) =>
  recordStore<Uint8Array>(
    kv,
    prefix,
    (value) => value,
    (bytes) => bytes,
  ) as RecordStore<V>;
// Structured records are written by this SDK only: what decodes is what it encoded.
const json = <V>(kv: KeyValueStore, prefix: string) => recordStore<V>(kv, prefix, encodeJson, (bytes) => decodeJson(bytes) as V);

/** The typed stores over one key-value store, each under its own key prefix. */
export function createE2eeStores(kv: KeyValueStore): E2eeStores {
  const remotes = raw(kv, 'identity/remote/');
  const local = json<LocalIdentity>(kv, 'local-identity/');
  return {
    identity: {
      local: () => local.get('local'),
      setLocal: (identity) => local.set('local', identity),
      remote: (address) => remotes.get(addressKey(address)),
      async saveRemote(address, identityKey) {
        const known = await remotes.get(addressKey(address));
        if (known !== undefined && sameBytes(known, identityKey)) return 'unchanged';
        await remotes.set(addressKey(address), identityKey);
        return known === undefined ? 'new' : 'replaced';
      },
    },
    sessions: raw(kv, 'session/'),
    preKeys: json(kv, 'prekey/'),
    signedPreKeys: json(kv, 'signed-prekey/'),
    kyberPreKeys: json(kv, 'kyber-prekey/'),
    senderKeys: raw(kv, 'sender-key/'),
    state: json(kv, 'state/'),
    flush: () => kv.flush(),
  };
}
