/**
 * The canonical encoding of what the server holds for one device's end-to-end keys. The server
 * answers `GET /v1/devices/{deviceId}/keys/digest` with the SHA-256 of these bytes; the device
 * computes the same from what it uploaded (minus the one-time keys the server has handed out
 * since, which the digest answer lists by id) and so learns whether the server holds exactly its
 * keys. Pure and dependency-free, so the SDK (Node or browser) shares it with the server.
 *
 * Layout (all integers unsigned 32-bit big-endian; `bytes` is a u32 length, then the bytes):
 *   bytes  label "mqtt-chat e2ee key digest v1" (UTF-8)
 *   u32    signal device id, u32 registration id
 *   bytes  identity key
 *   u32 id, bytes key, bytes signature   signed prekey
 *   u32 id, bytes key, bytes signature   Kyber last-resort prekey
 *   u32 n, then n × (u32 id, bytes key)                    one-time EC prekeys, ascending id
 *   u32 m, then m × (u32 id, bytes key, bytes signature)   one-time Kyber prekeys, ascending id
 */

export const KEY_DIGEST_LABEL = 'mqtt-chat e2ee key digest v1';

interface DigestKey {
  keyId: number;
  publicKey: Uint8Array;
}

interface DigestSignedKey extends DigestKey {
  signature: Uint8Array;
}

export interface KeyDigestInput {
  signalDeviceId: number;
  registrationId: number;
  identityKey: Uint8Array;
  signedPreKey: DigestSignedKey;
  kyberLastResortPreKey: DigestSignedKey;
  oneTimePreKeys: readonly DigestKey[];
  kyberOneTimePreKeys: readonly DigestSignedKey[];
}

export function encodeKeyDigestInput(input: KeyDigestInput): Uint8Array {
  const parts: Uint8Array[] = [];
  const u32 = (value: number): void => {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, value);
    parts.push(out);
  };
  const bytes = (value: Uint8Array): void => {
    u32(value.length);
    parts.push(value);
  };
  const signedKey = (key: DigestSignedKey): void => {
    u32(key.keyId);
    bytes(key.publicKey);
    bytes(key.signature);
  };
  const ascending = <K extends DigestKey>(keys: readonly K[]): K[] => [...keys].sort((a, b) => a.keyId - b.keyId);

  bytes(new TextEncoder().encode(KEY_DIGEST_LABEL));
  u32(input.signalDeviceId);
  u32(input.registrationId);
  bytes(input.identityKey);
  signedKey(input.signedPreKey);
  signedKey(input.kyberLastResortPreKey);
  u32(input.oneTimePreKeys.length);
  for (const key of ascending(input.oneTimePreKeys)) {
    u32(key.keyId);
    bytes(key.publicKey);
  }
  u32(input.kyberOneTimePreKeys.length);
  for (const key of ascending(input.kyberOneTimePreKeys)) signedKey(key);

  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
