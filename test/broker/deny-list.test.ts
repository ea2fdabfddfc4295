/** The deny list a broker node holds in memory: pure rules, no broker. */
import { describe, expect, it } from 'vitest';
import { createDenyList } from '../../broker/deny-list.js';
import { ALL_DEVICES } from '../../schema/index.js';

describe('the deny list', () => {
  it('refuses by the later of the device and its user, and only ever moves forward', () => {
    const list = createDenyList();
    expect(list.notBeforeMs('u', 'phone')).toBe(0);
    expect(list.add({ userId: 'u', deviceId: 'phone', notBeforeMs: 100 })).toBe(true);
    expect(list.add({ userId: 'u', deviceId: 'phone', notBeforeMs: 50 })).toBe(false);
    expect(list.add({ userId: 'u', deviceId: 'phone', notBeforeMs: 100 })).toBe(false);
    expect(list.notBeforeMs('u', 'phone')).toBe(100);
    expect(list.notBeforeMs('u', 'laptop')).toBe(0);
    expect(list.add({ userId: 'u', deviceId: ALL_DEVICES, notBeforeMs: 200 })).toBe(true);
    expect([list.notBeforeMs('u', 'phone'), list.notBeforeMs('u', 'laptop'), list.notBeforeMs('v', 'phone')]).toEqual([200, 200, 0]);
    expect(list.size()).toBe(2);
  });
});
