/**
 * The cryptography the SDK's end-to-end encryption needs, as a port: the Signal protocol's
 * operations (PQXDH session set-up from a prekey bundle, Double Ratchet encrypt/decrypt, sender
 * keys, safety numbers) over the SDK's own stores (`stores.ts`). The SDK never does cryptography
 * itself: everything here is implemented by a Signal library. Node uses libsignal
 * (`@mqtt-chat/sdk/e2ee-node`, a native module that must never reach a browser bundle); a
 * WebCrypto/wasm implementation can plug in behind the same interface.
 *
 * Records (sessions, prekeys, sender keys) are the implementation's own serializations: opaque
 * bytes to the SDK, which only stores them. Public keys and signatures are libsignal's wire
 * serializations (what the platform's key calls carry, docs/e2ee.md#what-is-stored).
 */
import type { E2eeStores } from './stores.js';

/** A device as the Signal protocol names it: the user id and the numeric device id the platform assigned. */
export interface SignalAddress {
  userId: string;
  /** 1..127 (docs/e2ee.md#devices-and-their-signal-addresses). */
  deviceId: number;
}

export interface LocalIdentity {
  /** The serialized identity key pair (private: never leaves the device). */
  keyPair: Uint8Array;
  /** The public identity key (33 bytes). */
  publicKey: Uint8Array;
  /** 1..16383. */
  registrationId: number;
}

export interface GeneratedPreKey {
  keyId: number;
  publicKey: Uint8Array;
  record: Uint8Array;
}

export interface GeneratedSignedPreKey extends GeneratedPreKey {
  /** The identity key's signature over `publicKey`. */
  signature: Uint8Array;
}

/** One device's keys as a claim answers them (POST /v1/users/{userId}/keys/claim), decoded from base64. */
export interface PreKeyBundle {
  registrationId: number;
  deviceId: number;
  identityKey: Uint8Array;
  signedPreKey: { keyId: number; publicKey: Uint8Array; signature: Uint8Array };
  /** Absent when the device had no one-time EC prekey left. */
  preKey?: { keyId: number; publicKey: Uint8Array };
  kyberPreKey: { keyId: number; publicKey: Uint8Array; signature: Uint8Array };
}

export type PairwiseType = 'prekey' | 'whisper';

export interface PairwiseCiphertext {
  type: PairwiseType;
  body: Uint8Array;
}

export interface SafetyNumber {
  /** 60 digits, the same on both devices: read aloud or shown side by side. */
  displayable: string;
  /** The bytes of a QR code to scan: compare with `compareScannable`. */
  scannable: Uint8Array;
}

export interface SignalCrypto {
  newIdentity(): LocalIdentity;
  newPreKey(keyId: number): GeneratedPreKey;
  newSignedPreKey(identity: LocalIdentity, keyId: number, nowMs: number): GeneratedSignedPreKey;
  newKyberPreKey(identity: LocalIdentity, keyId: number, nowMs: number): GeneratedSignedPreKey;
  /** A random UUID for a sender-key distribution. */
  newDistributionId(): string;
  sha256(data: Uint8Array): Promise<Uint8Array>;

  /** Opens a session with `remote` from its claimed bundle (PQXDH); the identity store learns its identity key. */
  startSession(stores: E2eeStores, local: SignalAddress, remote: SignalAddress, bundle: PreKeyBundle): Promise<void>;
  /** True when a session with `remote` can encrypt now. */
  hasSession(stores: E2eeStores, remote: SignalAddress): Promise<boolean>;
  encrypt(stores: E2eeStores, local: SignalAddress, remote: SignalAddress, plaintext: Uint8Array): Promise<PairwiseCiphertext>;
  /**
   * Decrypts a pairwise message from `remote` (a PreKey message opens the session, consuming the
   * one-time prekey it names). `usedOneTimePreKey` is false for a PreKey message built without one
   * (the device had run out: the last-resort keys carried the session).
   */
  decrypt(
    stores: E2eeStores,
    local: SignalAddress,
    remote: SignalAddress,
    ciphertext: PairwiseCiphertext,
  ): Promise<{ plaintext: Uint8Array; usedOneTimePreKey: boolean | undefined }>;

  /** The current state of `local`'s sender key under `distributionId` (created if new), to hand to the members pairwise. */
  senderKeyDistribution(stores: E2eeStores, local: SignalAddress, distributionId: string): Promise<Uint8Array>;
  processSenderKeyDistribution(stores: E2eeStores, sender: SignalAddress, distribution: Uint8Array): Promise<void>;
  groupEncrypt(stores: E2eeStores, local: SignalAddress, distributionId: string, plaintext: Uint8Array): Promise<Uint8Array>;
  groupDecrypt(stores: E2eeStores, sender: SignalAddress, ciphertext: Uint8Array): Promise<Uint8Array>;

  /** The safety number of two identity keys, each with its owner's stable identifier (the user id). */
  safetyNumber(local: { id: string; identityKey: Uint8Array }, remote: { id: string; identityKey: Uint8Array }): SafetyNumber;
  /** True when a scanned QR code (the other device's `scannable`) matches ours. */
  compareScannable(ours: Uint8Array, scanned: Uint8Array): boolean;
}

/** How stores key a device: `userId.deviceId` (libsignal's ProtocolAddress.toString()). */
export const addressKey = (address: SignalAddress): string => `${address.userId}.${address.deviceId}`;
