/**
 * JSON shapes of the key-distribution calls (docs/e2ee.md). Keys and signatures are base64 of
 * libsignal's serializations. Sizes, ids and counts are checked by `key-checks.ts`, which
 * answers with the specific ERR_KEYS_* code; the schema only bounds what is parsed at all.
 */
import { Type } from 'typebox';
import { ID_PATTERN_SOURCE } from '../schema/index.js';
import { Id } from './schemas.js';

const BASE64 = '^[A-Za-z0-9+/]*={0,2}$';
const Base64 = (description: string) => Type.String({ pattern: BASE64, maxLength: 4096, contentEncoding: 'base64', description });
const KeyId = Type.Integer({ description: 'key id, 1..16777215 (24 bits, as Signal clients number them)' });

const EcKey = (what: string) => Base64(`${what}: Curve25519 public key, 33 bytes (0x05 then 32), libsignal PublicKey.serialize()`);
const KyberKey = (what: string) => Base64(`${what}: Kyber1024 public key, 1569 bytes (0x08 then 1568), libsignal KEMPublicKey.serialize()`);
const Signature = Base64('64-byte XEdDSA signature of the serialized public key by the identity key (PrivateKey.sign)');

export const OneTimeKeyBody = Type.Object({ keyId: KeyId, publicKey: EcKey('one-time prekey') }, { additionalProperties: false });
export const SignedEcKeyBody = Type.Object(
  { keyId: KeyId, publicKey: EcKey('signed prekey'), signature: Signature },
  { additionalProperties: false },
);
export const SignedKyberKeyBody = Type.Object(
  { keyId: KeyId, publicKey: KyberKey('Kyber prekey'), signature: Signature },
  { additionalProperties: false },
);

const OneTimeKeyLists = {
  oneTimePreKeys: Type.Optional(Type.Array(OneTimeKeyBody, { description: 'one-time EC prekeys, at most 100' })),
  kyberOneTimePreKeys: Type.Optional(Type.Array(SignedKyberKeyBody, { description: 'one-time Kyber prekeys, at most 100 (optional)' })),
};

export const UploadKeysBody = Type.Object(
  {
    registrationId: Type.Integer({ description: "the install's registration id, 1..16383 (libsignal: 14 bits)" }),
    identityKey: EcKey('identity key'),
    signedPreKey: SignedEcKeyBody,
    kyberLastResortPreKey: SignedKyberKeyBody,
    ...OneTimeKeyLists,
  },
  { additionalProperties: false },
);

export const RotateKeysBody = Type.Object(
  { signedPreKey: Type.Optional(SignedEcKeyBody), kyberLastResortPreKey: Type.Optional(SignedKyberKeyBody) },
  { additionalProperties: false, minProperties: 1 },
);

export const AddOneTimeKeysBody = Type.Object(OneTimeKeyLists, { additionalProperties: false, minProperties: 1 });

const Counts = {
  oneTimePreKeyCount: Type.Integer({ description: 'one-time EC prekeys the server holds for the device' }),
  kyberOneTimePreKeyCount: Type.Integer({ description: 'one-time Kyber prekeys the server holds for the device' }),
};
const SignalDeviceId = Type.Integer({ minimum: 1, maximum: 127, description: "libsignal's device id for ProtocolAddress(userId, n)" });

export const UploadKeysView = Type.Object({
  deviceId: Id,
  signalDeviceId: SignalDeviceId,
  identityChanged: Type.Boolean({ description: 'the device had keys under another identity key; its peers were told' }),
  ...Counts,
});

export const KeyCountView = Type.Object({ deviceId: Id, signalDeviceId: SignalDeviceId, ...Counts, lowThreshold: Type.Integer() });

export const KeyDigestView = Type.Object({
  deviceId: Id,
  signalDeviceId: SignalDeviceId,
  algorithm: Type.Literal('sha-256'),
  digest: Type.String({ description: 'base64 SHA-256 of the canonical encoding (schema/key-digest.ts, docs/e2ee.md)' }),
  oneTimePreKeyIds: Type.Array(Type.Integer(), { description: 'the one-time EC prekeys the digest covers, ascending' }),
  kyberOneTimePreKeyIds: Type.Array(Type.Integer(), { description: 'the one-time Kyber prekeys it covers, ascending' }),
});

const SignedKeyView = Type.Object({ keyId: Type.Integer(), publicKey: Type.String(), signature: Type.String() });

const DeviceIdentityFields = {
  deviceId: Id,
  signalDeviceId: SignalDeviceId,
  registrationId: Type.Integer(),
  identityKey: Type.String({ description: 'base64, 33 bytes' }),
};

export const DeviceBundleView = Type.Object({
  ...DeviceIdentityFields,
  signedPreKey: SignedKeyView,
  preKey: Type.Optional(
    Type.Object(
      { keyId: Type.Integer(), publicKey: Type.String() },
      { description: 'absent when the device has no one-time EC prekey left' },
    ),
  ),
  kyberPreKey: Type.Object({
    ...SignedKeyView.properties,
    lastResort: Type.Boolean({
      description: 'the last-resort Kyber prekey (the device has no one-time Kyber prekey left, or uploads none)',
    }),
  }),
});

export const BundlesView = Type.Object({ userId: Id, devices: Type.Array(DeviceBundleView) });

export const DevicesView = Type.Object({ userId: Id, devices: Type.Array(Type.Object(DeviceIdentityFields)) });

export const ClaimBody = Type.Object(
  {
    deviceIds: Type.Optional(
      Type.Array(Type.String({ pattern: ID_PATTERN_SOURCE }), {
        maxItems: 127,
        description: 'only these devices (e.g. one just announced by DEVICE_ADDED); every device of the user when absent',
      }),
    ),
  },
  { additionalProperties: false },
);

export const UserIdParams = Type.Object({ userId: Id });
