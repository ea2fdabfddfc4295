import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeKeyDigestInput, KEY_DIGEST_LABEL, type KeyDigestInput } from '@mqtt-chat/protocol';

const b = (...values: number[]) => new Uint8Array(values);

const input: KeyDigestInput = {
  signalDeviceId: 2,
  registrationId: 0x0102,
  identityKey: b(5, 1),
  signedPreKey: { keyId: 7, publicKey: b(5, 2), signature: b(9) },
  kyberLastResortPreKey: { keyId: 8, publicKey: b(8, 3), signature: b(10) },
  oneTimePreKeys: [
    { keyId: 4, publicKey: b(5, 4) },
    { keyId: 3, publicKey: b(5, 3) },
  ],
  kyberOneTimePreKeys: [],
};

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('key digest encoding', () => {
  it('lays the fields out as documented: length-prefixed bytes, u32 big-endian, one-time keys by ascending id', () => {
    const label = Buffer.from(KEY_DIGEST_LABEL).toString('hex');
    const u32 = (n: number) => n.toString(16).padStart(8, '0');
    const bytes = (...v: number[]) => u32(v.length) + hex(b(...v));
    expect(hex(encodeKeyDigestInput(input))).toBe(
      [
        u32(KEY_DIGEST_LABEL.length) + label,
        u32(2),
        u32(0x0102),
        bytes(5, 1),
        u32(7) + bytes(5, 2) + bytes(9),
        u32(8) + bytes(8, 3) + bytes(10),
        u32(2) + u32(3) + bytes(5, 3) + u32(4) + bytes(5, 4),
        u32(0),
      ].join(''),
    );
  });

  it('does not depend on the order the keys are listed in, and changes with any key', () => {
    const digest = (i: KeyDigestInput) => createHash('sha256').update(encodeKeyDigestInput(i)).digest('hex');
    expect(digest({ ...input, oneTimePreKeys: [...input.oneTimePreKeys].reverse() })).toBe(digest(input));
    expect(digest({ ...input, oneTimePreKeys: [{ keyId: 3, publicKey: b(5, 99) }, input.oneTimePreKeys[0]!] })).not.toBe(digest(input));
    expect(digest({ ...input, signedPreKey: { ...input.signedPreKey, keyId: 6 } })).not.toBe(digest(input));
  });
});
