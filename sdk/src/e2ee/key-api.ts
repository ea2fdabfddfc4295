/**
 * The REST calls of end-to-end encryption (docs/e2ee.md#calls): this device's keys (upload,
 * rotation, one-time keys, count, digest), other users' devices and prekey bundles, and the
 * members of a room, over the global `fetch`. Answers are input too: each is checked before use,
 * and keys arrive decoded from base64. Failures are `SdkError`s `ERR_SDK_REST` with the HTTP
 * status and the API's code, so callers can tell "retry later" (0, 429, 5xx) from "no".
 */
import { SdkError } from '../errors.js';
import { fromBase64, toBase64 } from './bytes.js';
import type { PreKeyBundle } from './crypto.js';

export interface UploadKeys {
  registrationId: number;
  identityKey: Uint8Array;
  signedPreKey: SignedKeyUpload;
  kyberLastResortPreKey: SignedKeyUpload;
  oneTimePreKeys: KeyUpload[];
  kyberOneTimePreKeys: SignedKeyUpload[];
}

export interface KeyUpload {
  keyId: number;
  publicKey: Uint8Array;
}

export interface SignedKeyUpload extends KeyUpload {
  signature: Uint8Array;
}

export interface KeyCounts {
  signalDeviceId: number;
  ec: number;
  kyber: number;
  /** The platform's PREKEY_LOW_THRESHOLD (0: it sends no notices). */
  lowThreshold: number;
}

export interface KeyDigest {
  signalDeviceId: number;
  digest: Uint8Array;
  oneTimePreKeyIds: number[];
  kyberOneTimePreKeyIds: number[];
}

export interface PeerDevice {
  userId: string;
  /** The platform's device id (the token's `did`). */
  deviceId: string;
  signalDeviceId: number;
  registrationId: number;
  identityKey: Uint8Array;
}

export interface ClaimedBundle extends PreKeyBundle {
  userId: string;
  platformDeviceId: string;
}

export interface RoomMembers {
  roomId: string;
  encrypted: boolean;
  memberVersion: number;
  members: string[];
}

export interface KeyApi {
  uploadKeys(keys: UploadKeys): Promise<{ signalDeviceId: number }>;
  rotateSignedKeys(keys: { signedPreKey: SignedKeyUpload; kyberLastResortPreKey: SignedKeyUpload }): Promise<void>;
  addOneTimeKeys(keys: { oneTimePreKeys: KeyUpload[]; kyberOneTimePreKeys: SignedKeyUpload[] }): Promise<void>;
  /** Undefined when the platform holds no keys for this device (404 ERR_KEYS_NOT_FOUND). */
  countKeys(): Promise<KeyCounts | undefined>;
  digest(): Promise<KeyDigest>;
  devices(userId: string): Promise<PeerDevice[]>;
  /** Bundles of the devices named, or of every device of the user (`undefined`); consumes a one-time key of each. */
  claim(userId: string, deviceIds: readonly string[] | undefined): Promise<ClaimedBundle[]>;
  room(roomId: string): Promise<RoomMembers>;
}

export interface KeyApiDeps {
  getToken(): Promise<string>;
}

export interface KeyApiOptions {
  apiUrl: string;
  deviceId: string;
  timeoutMs: number;
}

type Method = 'GET' | 'PUT' | 'POST';

export function createKeyApi(deps: KeyApiDeps, options: KeyApiOptions): KeyApi {
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  const own = `/v1/devices/${encodeURIComponent(options.deviceId)}/keys`;

  async function call(method: Method, path: string, json?: unknown): Promise<{ status: number; body: unknown }> {
    const token = await deps.getToken();
    let response: Response;
    try {
      response = await fetch(`${apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (cause) {
      throw new SdkError('ERR_SDK_REST', `${method} ${path}: no answer`, { cause, status: 0 });
    }
    const body: unknown = response.status === 204 ? undefined : await response.json().catch(() => undefined);
    return { status: response.status, body };
  }

  function fail(method: Method, path: string, status: number, body: unknown): never {
    const apiCode = field(field(body, 'error'), 'code');
    throw new SdkError('ERR_SDK_REST', `${method} ${path}: ${status}`, { status, ...(typeof apiCode === 'string' ? { apiCode } : {}) });
  }

  /** Calls and returns the answer's body when the status is `expected`, else fails. */
  async function expect(method: Method, path: string, expected: number, json?: unknown): Promise<unknown> {
    const { status, body } = await call(method, path, json);
    return status === expected ? body : fail(method, path, status, body);
  }

  /** A checked answer, or a failure naming the call (the platform answered something else than documented). */
  function checked<T>(method: Method, path: string, value: T | undefined, body: unknown): T {
    return value ?? fail(method, path, 200, body);
  }

  return {
    async uploadKeys(keys) {
      const body = await expect('PUT', own, 200, {
        registrationId: keys.registrationId,
        identityKey: toBase64(keys.identityKey),
        signedPreKey: signedKeyJson(keys.signedPreKey),
        kyberLastResortPreKey: signedKeyJson(keys.kyberLastResortPreKey),
        oneTimePreKeys: keys.oneTimePreKeys.map(keyJson),
        kyberOneTimePreKeys: keys.kyberOneTimePreKeys.map(signedKeyJson),
      });
      const signalDeviceId = field(body, 'signalDeviceId');
      return checked('PUT', own, isCount(signalDeviceId) ? { signalDeviceId } : undefined, body);
    },
    async rotateSignedKeys(keys) {
      await expect('PUT', `${own}/signed`, 204, {
        signedPreKey: signedKeyJson(keys.signedPreKey),
        kyberLastResortPreKey: signedKeyJson(keys.kyberLastResortPreKey),
      });
    },
    async addOneTimeKeys(keys) {
      await expect('POST', `${own}/one-time`, 200, {
        oneTimePreKeys: keys.oneTimePreKeys.map(keyJson),
        kyberOneTimePreKeys: keys.kyberOneTimePreKeys.map(signedKeyJson),
      });
    },
    async countKeys() {
      const path = `${own}/count`;
      const { status, body } = await call('GET', path);
      if (status === 404 && field(field(body, 'error'), 'code') === 'ERR_KEYS_NOT_FOUND') return undefined;
      if (status !== 200) return fail('GET', path, status, body);
      const [signalDeviceId, ec, kyber, lowThreshold] = [
        'signalDeviceId',
        'oneTimePreKeyCount',
        'kyberOneTimePreKeyCount',
        'lowThreshold',
      ].map((name) => field(body, name));
      const isValid = isCount(signalDeviceId) && isCount(ec) && isCount(kyber) && isCount(lowThreshold);
      return checked('GET', path, isValid ? { signalDeviceId, ec, kyber, lowThreshold } : undefined, body);
    },
    async digest() {
      const path = `${own}/digest`;
      const body = await expect('GET', path, 200);
      const [signalDeviceId, digest, ec, kyber] = ['signalDeviceId', 'digest', 'oneTimePreKeyIds', 'kyberOneTimePreKeyIds'].map((name) =>
        field(body, name),
      );
      const isValid = isCount(signalDeviceId) && typeof digest === 'string' && isCountList(ec) && isCountList(kyber);
      const bytes = isValid ? decoded(digest) : undefined;
      const answer =
        isValid && bytes !== undefined ? { signalDeviceId, digest: bytes, oneTimePreKeyIds: ec, kyberOneTimePreKeyIds: kyber } : undefined;
      return checked('GET', path, answer, body);
    },
    async devices(userId) {
      const path = `/v1/users/${encodeURIComponent(userId)}/devices`;
      const body = await expect('GET', path, 200);
      const listed = field(body, 'devices');
      const devices = Array.isArray(listed) ? listed.map((d) => peerDevice(userId, d)) : undefined;
      return checked('GET', path, devices?.every((d) => d !== undefined) ? devices : undefined, body);
    },
    async claim(userId, deviceIds) {
      const path = `/v1/users/${encodeURIComponent(userId)}/keys/claim`;
      const body = await expect('POST', path, 200, deviceIds === undefined ? {} : { deviceIds });
      const listed = field(body, 'devices');
      const bundles = Array.isArray(listed) ? listed.map((b) => claimedBundle(userId, b)) : undefined;
      return checked('POST', path, bundles?.every((b) => b !== undefined) ? bundles : undefined, body);
    },
    async room(roomId) {
      const path = `/v1/rooms/${encodeURIComponent(roomId)}`;
      const body = await expect('GET', path, 200);
      const [memberVersion, members, encrypted] = ['memberVersion', 'members', 'encrypted'].map((name) => field(body, name));
      const isValid = isCount(memberVersion) && isTextList(members) && (encrypted === undefined || typeof encrypted === 'boolean');
      return checked('GET', path, isValid ? { roomId, memberVersion, members, encrypted: encrypted === true } : undefined, body);
    },
  };
}

/**
 * True for a failure that a later attempt may not meet: no answer, 429 (the claim rate limit:
 * the send is retried after its ack timeout, by when the bucket has refilled), or a 5xx.
 */
export function isTransient(error: unknown): boolean {
  const status = error instanceof SdkError && error.code === 'ERR_SDK_REST' ? error.status : undefined;
  return status !== undefined && (status === 0 || status === 429 || status >= 500);
}

const keyJson = (key: KeyUpload) => ({ keyId: key.keyId, publicKey: toBase64(key.publicKey) });
const signedKeyJson = (key: SignedKeyUpload) => ({ ...keyJson(key), signature: toBase64(key.signature) });

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isCountList = (value: unknown): value is number[] => Array.isArray(value) && value.every(isCount);
const isTextList = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

function decoded(value: unknown): Uint8Array | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return fromBase64(value);
  } catch {
    return undefined;
  }
}

function peerDevice(userId: string, value: unknown): PeerDevice | undefined {
  const [deviceId, signalDeviceId, registrationId, identityKey] = ['deviceId', 'signalDeviceId', 'registrationId', 'identityKey'].map(
    (name) => field(value, name),
  );
  const key = decoded(identityKey);
  const isValid = typeof deviceId === 'string' && isCount(signalDeviceId) && isCount(registrationId) && key !== undefined;
  return isValid ? { userId, deviceId, signalDeviceId, registrationId, identityKey: key } : undefined;
}

function signedKey(value: unknown): { keyId: number; publicKey: Uint8Array; signature: Uint8Array } | undefined {
  const keyId = field(value, 'keyId');
  const publicKey = decoded(field(value, 'publicKey'));
  const signature = decoded(field(value, 'signature'));
  return isCount(keyId) && publicKey !== undefined && signature !== undefined ? { keyId, publicKey, signature } : undefined;
}

function claimedBundle(userId: string, value: unknown): ClaimedBundle | undefined {
  const device = peerDevice(userId, value);
  const signed = signedKey(field(value, 'signedPreKey'));
  const kyber = signedKey(field(value, 'kyberPreKey'));
  const rawPreKey = field(value, 'preKey');
  const preKeyId = field(rawPreKey, 'keyId');
  const preKeyPublic = decoded(field(rawPreKey, 'publicKey'));
  const preKey = isCount(preKeyId) && preKeyPublic !== undefined ? { keyId: preKeyId, publicKey: preKeyPublic } : undefined;
  if (device === undefined || signed === undefined || kyber === undefined || (rawPreKey !== undefined && preKey === undefined))
    return undefined;
  return {
    userId,
    platformDeviceId: device.deviceId,
    registrationId: device.registrationId,
    deviceId: device.signalDeviceId,
    identityKey: device.identityKey,
    signedPreKey: signed,
    ...(preKey === undefined ? {} : { preKey }),
    kyberPreKey: kyber,
  };
}
