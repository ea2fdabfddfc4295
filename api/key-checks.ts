/**
 * Checks uploaded public keys before the server stores or serves them: sizes and type bytes, that
 * libsignal accepts them, and that the signed prekeys carry a valid signature by the device's
 * identity key (XEdDSA, verified by libsignal: no cryptography is done here by hand). A bad key
 * is refused at upload with a specific code, instead of failing every session a peer later tries.
 * Error messages and details name the field, never its bytes.
 */
import { KEMPublicKey, PublicKey } from '@signalapp/libsignal-client';
import type { DeviceKeyUpload, IdentityCheck, OneTimePreKey, SignedPreKey } from '../store/index.js';
import { apiError } from './errors.js';

/** A Curve25519 public key as libsignal serializes it: type byte 0x05, then 32 bytes. */
export const EC_PUBLIC_KEY_BYTES = 33;
const EC_KEY_TYPE = 0x05;
/** A Kyber1024 public key as libsignal serializes it: type byte 0x08, then 1568 bytes. */
export const KYBER_PUBLIC_KEY_BYTES = 1569;
const KYBER_KEY_TYPE = 0x08;
export const SIGNATURE_BYTES = 64;
/** Signal's clients number prekeys in 24 bits (and wrap around); 0 is never used. */
export const KEY_ID_MAX = 0xff_ffff;
/** Registration ids are 14 bits (libsignal's generator gives 1..16380). */
export const REGISTRATION_ID_MAX = 0x3fff;
export const ONE_TIME_PREKEYS_PER_UPLOAD = 100;

interface SignedKeyJson {
  keyId: number;
  publicKey: string;
  signature: string;
}
interface OneTimeKeyJson {
  keyId: number;
  publicKey: string;
}
export interface UploadJson {
  registrationId: number;
  identityKey: string;
  signedPreKey: SignedKeyJson;
  kyberLastResortPreKey: SignedKeyJson;
  oneTimePreKeys?: OneTimeKeyJson[] | undefined;
  kyberOneTimePreKeys?: SignedKeyJson[] | undefined;
}

const invalidKey = (field: string, why: string) => apiError('ERR_KEYS_INVALID_KEY', `${field}: ${why}`, { field });

/** The schema allows only base64 characters; lengths are checked per key. */
const fromBase64 = (value: string): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from(value, 'base64'));

function typedKey(
  field: string,
  value: string,
  size: number,
  type: number,
  parse: (bytes: Uint8Array<ArrayBuffer>) => unknown,
): Uint8Array {
  const bytes = fromBase64(value);
  if (bytes.length !== size) throw invalidKey(field, `must be ${size} bytes, not ${bytes.length}`);
  if (bytes[0] !== type) throw invalidKey(field, `must start with the type byte 0x0${type.toString(16)}`);
  try {
    parse(bytes);
  } catch {
    throw invalidKey(field, 'is not a valid public key');
  }
  return bytes;
}

const ecKey = (field: string, value: string) =>
  typedKey(field, value, EC_PUBLIC_KEY_BYTES, EC_KEY_TYPE, (bytes) => PublicKey.deserialize(bytes));
const kyberKey = (field: string, value: string) =>
  typedKey(field, value, KYBER_PUBLIC_KEY_BYTES, KYBER_KEY_TYPE, (bytes) => KEMPublicKey.deserialize(bytes));

function keyId(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > KEY_ID_MAX) {
    throw apiError('ERR_KEYS_ID_INVALID', `${field}: key ids are 1..${KEY_ID_MAX}`, { field });
  }
  return value;
}

function signedKey(field: string, json: SignedKeyJson, decode: typeof ecKey): SignedPreKey {
  return {
    keyId: keyId(`${field}.keyId`, json.keyId),
    publicKey: decode(`${field}.publicKey`, json.publicKey),
    signature: fromBase64(json.signature),
  };
}

function notTooMany(field: string, count: number): void {
  if (count > ONE_TIME_PREKEYS_PER_UPLOAD) {
    throw apiError('ERR_KEYS_TOO_MANY', `${field}: at most ${ONE_TIME_PREKEYS_PER_UPLOAD} per upload`, {
      field,
      max: ONE_TIME_PREKEYS_PER_UPLOAD,
    });
  }
}

/** Kyber one-time and last-resort prekeys live in one id space on the device, so they are checked together. */
function noDuplicateIds(field: string, ids: readonly number[]): void {
  const seen = new Set<number>();
  for (const id of ids) {
    if (seen.has(id)) throw apiError('ERR_KEYS_DUPLICATE_ID', `${field}: key id ${id} appears twice`, { field, keyId: id });
    seen.add(id);
  }
}

function oneTimeKeys(json: { oneTimePreKeys?: OneTimeKeyJson[] | undefined; kyberOneTimePreKeys?: SignedKeyJson[] | undefined }): {
  ec: OneTimePreKey[];
  kyber: SignedPreKey[];
} {
  const ecJson = json.oneTimePreKeys ?? [];
  const kyberJson = json.kyberOneTimePreKeys ?? [];
  notTooMany('oneTimePreKeys', ecJson.length);
  notTooMany('kyberOneTimePreKeys', kyberJson.length);
  const ec = ecJson.map((k, i) => ({
    keyId: keyId(`oneTimePreKeys[${i}].keyId`, k.keyId),
    publicKey: ecKey(`oneTimePreKeys[${i}].publicKey`, k.publicKey),
  }));
  const kyber = kyberJson.map((k, i) => signedKey(`kyberOneTimePreKeys[${i}]`, k, kyberKey));
  noDuplicateIds(
    'oneTimePreKeys',
    ec.map((k) => k.keyId),
  );
  return { ec, kyber };
}

/** Verifies each key's signature over its serialized public key (type byte included), as libsignal does in a session. */
function verifySignatures(identityKey: Uint8Array, keys: readonly (readonly [string, SignedPreKey])[]): void {
  const identity = PublicKey.deserialize(identityKey as Uint8Array<ArrayBuffer>);
  for (const [field, key] of keys) {
    const isValid =
      key.signature.length === SIGNATURE_BYTES &&
      identity.verify(key.publicKey as Uint8Array<ArrayBuffer>, key.signature as Uint8Array<ArrayBuffer>);
    if (!isValid) throw apiError('ERR_KEYS_BAD_SIGNATURE', `${field}.signature: not a signature of the key by the identity key`, { field });
  }
}

const indexed = (field: string, keys: readonly SignedPreKey[]) => keys.map((k, i) => [`${field}[${i}]`, k] as const);

/** A full upload (PUT): every key decoded and checked, signatures against the identity key in the same upload. */
export function checkUpload(json: UploadJson): DeviceKeyUpload {
  if (!Number.isInteger(json.registrationId) || json.registrationId < 1 || json.registrationId > REGISTRATION_ID_MAX) {
    throw apiError('ERR_KEYS_ID_INVALID', `registrationId: registration ids are 1..${REGISTRATION_ID_MAX}`, { field: 'registrationId' });
  }
  const identityKey = ecKey('identityKey', json.identityKey);
  const signedPreKey = signedKey('signedPreKey', json.signedPreKey, ecKey);
  const kyberLastResortPreKey = signedKey('kyberLastResortPreKey', json.kyberLastResortPreKey, kyberKey);
  const { ec, kyber } = oneTimeKeys(json);
  noDuplicateIds('kyberOneTimePreKeys', [kyberLastResortPreKey.keyId, ...kyber.map((k) => k.keyId)]);
  verifySignatures(identityKey, [
    ['signedPreKey', signedPreKey],
    ['kyberLastResortPreKey', kyberLastResortPreKey],
    ...indexed('kyberOneTimePreKeys', kyber),
  ]);
  return {
    registrationId: json.registrationId,
    identityKey,
    signedPreKey,
    kyberLastResortPreKey,
    oneTimePreKeys: ec,
    kyberOneTimePreKeys: kyber,
  };
}

/** A rotation: the keys, and the check of their signatures against the identity the server holds. */
export function checkRotation(json: { signedPreKey?: SignedKeyJson | undefined; kyberLastResortPreKey?: SignedKeyJson | undefined }): {
  keys: { signedPreKey?: SignedPreKey; kyberLastResortPreKey?: SignedPreKey };
  verify: IdentityCheck;
} {
  const signedPreKey = json.signedPreKey === undefined ? undefined : signedKey('signedPreKey', json.signedPreKey, ecKey);
  const kyberLastResortPreKey =
    json.kyberLastResortPreKey === undefined ? undefined : signedKey('kyberLastResortPreKey', json.kyberLastResortPreKey, kyberKey);
  const toVerify = [
    ...(signedPreKey === undefined ? [] : [['signedPreKey', signedPreKey] as const]),
    ...(kyberLastResortPreKey === undefined ? [] : [['kyberLastResortPreKey', kyberLastResortPreKey] as const]),
  ];
  return {
    keys: {
      ...(signedPreKey === undefined ? {} : { signedPreKey }),
      ...(kyberLastResortPreKey === undefined ? {} : { kyberLastResortPreKey }),
    },
    verify: (identityKey) => verifySignatures(identityKey, toVerify),
  };
}

/** More one-time keys: decoded and checked now; the Kyber ones' signatures against the stored identity. */
export function checkOneTimeKeys(json: {
  oneTimePreKeys?: OneTimeKeyJson[] | undefined;
  kyberOneTimePreKeys?: SignedKeyJson[] | undefined;
}): {
  keys: { ec: OneTimePreKey[]; kyber: SignedPreKey[] };
  verify: IdentityCheck;
} {
  const keys = oneTimeKeys(json);
  noDuplicateIds(
    'kyberOneTimePreKeys',
    keys.kyber.map((k) => k.keyId),
  );
  return { keys, verify: (identityKey) => verifySignatures(identityKey, indexed('kyberOneTimePreKeys', keys.kyber)) };
}
