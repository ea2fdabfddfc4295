import { describe, expect, it } from 'vitest';
import { keysLowNotice } from '../../api/key-notices.js';
import type { ClaimedBundle } from '../../store/index.js';

const key = { keyId: 1, publicKey: new Uint8Array(), signature: new Uint8Array() };

function claimed(remainingEc: number, options: { tookEc?: boolean; remainingKyber?: number; tookKyber?: boolean } = {}): ClaimedBundle {
  const { tookEc = true, remainingKyber = 0, tookKyber = false } = options;
  return {
    deviceId: 'phone',
    signalDeviceId: 1,
    registrationId: 1,
    identityKey: new Uint8Array(),
    signedPreKey: key,
    kyberPreKey: { ...key, lastResort: !tookKyber },
    ...(tookEc ? { preKey: key } : {}),
    remaining: { ec: remainingEc, kyber: remainingKyber },
  };
}

describe('keysLowNotice', () => {
  it('fires once on the way down through the threshold and once at zero', () => {
    const fired = [12, 11, 10, 9, 8, 1, 0].filter((left) => keysLowNotice(claimed(left), 10) !== undefined);
    expect(fired).toEqual([9, 0]);
  });

  it('stays silent when the claim took no key, and when the threshold is 0', () => {
    expect(keysLowNotice(claimed(0, { tookEc: false }), 10)).toBeUndefined();
    expect(keysLowNotice(claimed(0), 0)).toBeUndefined();
  });

  it('watches the one-time Kyber keys too, and reports both counts', () => {
    expect(keysLowNotice(claimed(50, { tookKyber: true, remainingKyber: 9 }), 10)).toEqual({
      deviceId: 'phone',
      remaining: 50,
      remainingKyber: 9,
    });
    expect(keysLowNotice(claimed(50, { tookKyber: false, remainingKyber: 9 }), 10)).toBeUndefined();
  });
});
