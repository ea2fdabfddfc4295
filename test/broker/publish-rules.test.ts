import { describe, expect, it } from 'vitest';
import { memoize } from '../../broker/bounded-memo.js';
import {
  canonicalDeviceStatus,
  deviceOfClientId,
  keepsRetain,
  willIsHonoured,
  DEVICE_STATUS_MAX_BYTES,
} from '../../broker/publish-rules.js';
import { decodeDeviceStatus, encodeDeviceStatus, parseTopic, type Topic } from '../../schema/index.js';

describe('publish rules', () => {
  it('keeps the retain flag of device presence only', () => {
    const kinds: Topic['kind'][] = ['room', 'typing', 'receipt', 'roomEvent', 'send', 'inbox', 'devicePresence', 'presence'];
    expect(kinds.filter(keepsRetain)).toEqual(['devicePresence']);
  });

  it('re-encodes a DeviceStatus without the fields the schema does not know', () => {
    const status = encodeDeviceStatus({ online: true, heartbeatMs: 240_000 });
    const withUnknown = Buffer.concat([status, Buffer.from([(15 << 3) | 2, 2, 0x61, 0x62])]);
    expect(Buffer.from(canonicalDeviceStatus(withUnknown)!)).toEqual(Buffer.from(status));
    expect(decodeDeviceStatus(canonicalDeviceStatus(status)!)).toEqual({ online: true, heartbeatMs: 240_000 });
  });

  it('accepts the empty payload (offline, and what clears a retained status) and refuses garbage or oversize', () => {
    expect(canonicalDeviceStatus(new Uint8Array())?.byteLength).toBe(0);
    expect(canonicalDeviceStatus(new Uint8Array([0xff, 0xff, 0xff]))).toBeUndefined();
    expect(canonicalDeviceStatus(new Uint8Array([0x08]))).toBeUndefined(); // a field cut short
    const oversize = Buffer.concat([Buffer.from([(15 << 3) | 2, DEVICE_STATUS_MAX_BYTES]), Buffer.alloc(DEVICE_STATUS_MAX_BYTES)]);
    expect(canonicalDeviceStatus(oversize)).toBeUndefined();
  });

  it('reads the device of a client id, and nothing from another shape', () => {
    expect(deviceOfClientId('alice:phone')).toEqual({ userId: 'alice', deviceId: 'phone' });
    expect(deviceOfClientId('alice')).toBeUndefined();
    expect(deviceOfClientId('a:b:c')).toBeUndefined();
    expect(deviceOfClientId(undefined)).toBeUndefined();
  });

  it("honours a Will only on its device's own presence topic", () => {
    const alicePhone = { userId: 'alice', deviceId: 'phone' };
    expect(willIsHonoured(alicePhone, parseTopic('chat/presence/alice/phone'))).toBe(true);
    for (const topic of [
      'chat/presence/alice/laptop',
      'chat/presence/bob/phone',
      'chat/presence/alice',
      'chat/room/r1/typing',
      'elsewhere',
    ]) {
      expect(willIsHonoured(alicePhone, parseTopic(topic))).toBe(false);
    }
    expect(willIsHonoured(undefined, parseTopic('chat/presence/alice/phone'))).toBe(false);
  });
});

describe('memoize', () => {
  it('computes each key once, and forgets everything when full', () => {
    const computed: string[] = [];
    const length = memoize((key) => {
      computed.push(key);
      return key.length;
    }, 2);
    expect([length('a'), length('bb'), length('a'), length('bb')]).toEqual([1, 2, 1, 2]);
    expect(computed).toEqual(['a', 'bb']);
    expect(length('ccc')).toBe(3); // full: everything forgotten, then 'ccc' remembered
    expect(length('a')).toBe(1);
    expect(computed).toEqual(['a', 'bb', 'ccc', 'a']);
  });
});
