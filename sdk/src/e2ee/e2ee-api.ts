/**
 * What an app configures and sees of end-to-end encryption (docs/e2ee.md#the-sdk-side): the
 * `e2ee` option of `createChatClient` (a crypto implementation and a store), and `client.e2ee`:
 * readiness of this device's keys, safety numbers to verify peers, decryption of a message
 * fetched elsewhere, events and counters. The implementation is `engine.ts`.
 */
import type { Message } from '@mqtt-chat/protocol';
import { DEFAULT_SIGNED_PREKEY_GRACE_MS, DEFAULT_SIGNED_PREKEY_ROTATION_MS, MAX_ONE_TIME_PREKEYS, type UploadKind } from './device-keys.js';
import type { SafetyNumber, SignalCrypto } from './crypto.js';
import { DEFAULT_MAX_ENVELOPE_BYTES, DEFAULT_PADDING_BLOCK_BYTES } from './envelope.js';
import type { ChatMessage } from './opener.js';
import type { OpenerCounters } from './opener.js';
import type { GroupStrategy, SealerCounters } from './sealer.js';
import type { KeyValueStore } from './stores.js';

export interface E2eeOptions {
  /** The Signal implementation: `createLibsignalCrypto()` from `@mqtt-chat/sdk/e2ee-node` in Node. */
  crypto: SignalCrypto;
  /** Where keys and sessions live: `createMemoryKeyValueStore()` (lost on exit), or `createFileKeyValueStore(dir)` in Node. */
  store: KeyValueStore;
  /** How group messages are encrypted: once with a sender key (default), or for each device (`pairwise`). */
  groupStrategy?: GroupStrategy;
  /** One-time prekeys of each kind (EC, Kyber) kept on the platform: uploaded at first use, topped up when low (1..100, default 100). */
  oneTimePreKeys?: number;
  /** How often the signed prekey and the Kyber last-resort prekey are replaced (default 2 days). */
  signedPreKeyRotationMs?: number;
  /** How long a replaced one is kept for messages already built on it (default 30 days). */
  signedPreKeyGraceMs?: number;
  /** The largest envelope sent in one message (default 60000, under the platform's default MAX_PAYLOAD_BYTES). */
  maxEnvelopeBytes?: number;
  /** Contents are padded to a multiple of this (default 64). */
  paddingBlockBytes?: number;
  /** Wall-clock epoch milliseconds, for rotation dates (default `Date.now`). */
  nowMs?: () => number;
}

export interface ResolvedE2eeOptions {
  crypto: SignalCrypto;
  store: KeyValueStore;
  groupStrategy: GroupStrategy;
  oneTimePreKeys: number;
  signedPreKeyRotationMs: number;
  signedPreKeyGraceMs: number;
  maxEnvelopeBytes: number;
  paddingBlockBytes: number;
  nowMs: () => number;
}

/** Throws a RangeError naming the bad option. */
export function resolveE2eeOptions(options: E2eeOptions): ResolvedE2eeOptions {
  const integer = (name: string, value: number, min: number, max: number): number => {
    if (!(Number.isSafeInteger(value) && value >= min && value <= max)) {
      throw new RangeError(`e2ee.${name} must be an integer from ${min} to ${max}, got ${value}`);
    }
    return value;
  };
  const strategy = options.groupStrategy ?? 'sender-keys';
  if (strategy !== 'sender-keys' && strategy !== 'pairwise') throw new RangeError(`e2ee.groupStrategy must be sender-keys or pairwise`);
  const day = 86_400_000;
  return {
    crypto: options.crypto,
    store: options.store,
    groupStrategy: strategy,
    oneTimePreKeys: integer('oneTimePreKeys', options.oneTimePreKeys ?? MAX_ONE_TIME_PREKEYS, 1, MAX_ONE_TIME_PREKEYS),
    signedPreKeyRotationMs: integer(
      'signedPreKeyRotationMs',
      options.signedPreKeyRotationMs ?? DEFAULT_SIGNED_PREKEY_ROTATION_MS,
      1,
      365 * day,
    ),
    signedPreKeyGraceMs: integer('signedPreKeyGraceMs', options.signedPreKeyGraceMs ?? DEFAULT_SIGNED_PREKEY_GRACE_MS, 0, 365 * day),
    maxEnvelopeBytes: integer('maxEnvelopeBytes', options.maxEnvelopeBytes ?? DEFAULT_MAX_ENVELOPE_BYTES, 4096, 16 * 1024 * 1024),
    paddingBlockBytes: integer('paddingBlockBytes', options.paddingBlockBytes ?? DEFAULT_PADDING_BLOCK_BYTES, 1, 4096),
    nowMs: options.nowMs ?? (() => Date.now()),
  };
}

export interface E2eeEvents {
  /**
   * The identity key of a device this device talks to changed (a reinstall, or someone in the
   * middle): its safety number changed. Sessions with it start over; ask the user to verify again.
   */
  identityChanged: { userId: string; signalDeviceId: number };
  /** This device's keys went to the platform: all of them (`full`), more one-time keys (`top-up`), or new signed keys (`rotation`). */
  keysUploaded: { kind: UploadKind; signalDeviceId: number; oneTimePreKeys: number; kyberOneTimePreKeys: number };
  /** The platform's digest of this device's keys did not match what it uploaded (the keys were replaced). */
  keyDigestMismatch: { signalDeviceId: number };
}

export interface DeviceSafetyNumber extends SafetyNumber {
  userId: string;
  /** The platform's device id. */
  deviceId: string;
  signalDeviceId: number;
  identityKey: Uint8Array;
  /** `session`: the key this device encrypts to; `platform`: the key the platform lists (no session yet). */
  source: 'session' | 'platform';
}

export interface E2eeStats extends SealerCounters, OpenerCounters {}

export interface E2ee {
  /** Resolves once this device's keys are on the platform (generated and uploaded at first use); rejects with ERR_SDK_E2EE if they cannot be. */
  ready(): Promise<{ userId: string; signalDeviceId: number; identityKey: Uint8Array }>;
  /** One safety number per device of `userId` (the devices that have keys): compare them with the other user, aloud or by QR code. */
  safetyNumbers(userId: string): Promise<DeviceSafetyNumber[]>;
  /** True when the QR code scanned from the other device (its `scannable`) matches ours. */
  compareScannable(ours: Uint8Array, scanned: Uint8Array): boolean;
  /** Decrypts a message this client did not deliver itself (fetched over REST, kept by a notification extension). */
  open(message: Message): Promise<ChatMessage>;
  on<K extends keyof E2eeEvents>(event: K, listener: (payload: E2eeEvents[K]) => void): () => void;
  stats(): E2eeStats;
}
