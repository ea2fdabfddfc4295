/**
 * The sender-key decision of each send (`planDistribution`), as laws over random rooms: a chain
 * never reaches a device that is not in the room now, a membership change or a vanished device
 * always starts a new chain, and a device is handed a chain once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planDistribution, type RoomSenderKey } from '../../../sdk/src/e2ee/room-keys.js';

const devices = fc.uniqueArray(fc.constantFrom(...'abcdefghij'.split('')), { maxLength: 10 });
const chain = fc.record({ recipients: devices, memberVersion: fc.integer({ min: 1, max: 5 }) });
const key = (c: { recipients: string[]; memberVersion: number }): RoomSenderKey => ({ distributionId: 'd', createdAtMs: 0, ...c });

describe('planDistribution', () => {
  it('hands the chain only to devices in the room now', () => {
    fc.assert(
      fc.property(fc.option(chain, { nil: undefined }), devices, fc.integer({ min: 1, max: 5 }), (current, present, version) => {
        const plan = planDistribution(current === undefined ? undefined : key(current), present, version);
        expect(plan.handTo.every((d) => present.includes(d))).toBe(true);
      }),
    );
  });

  it('starts a new chain, for everyone in the room, when the member version moved or a holder is gone', () => {
    fc.assert(
      fc.property(chain, devices, fc.integer({ min: 1, max: 5 }), (current, present, version) => {
        const plan = planDistribution(key(current), present, version);
        const isStale = current.memberVersion !== version || current.recipients.some((d) => !present.includes(d));
        expect(plan.rotate).toBe(isStale);
        if (isStale) expect([...plan.handTo].sort()).toEqual([...present].sort());
      }),
    );
  });

  it('keeps the chain and hands it only to devices that do not hold it yet', () => {
    fc.assert(
      fc.property(chain, devices, (current, extra) => {
        const present = [...new Set([...current.recipients, ...extra])];
        const plan = planDistribution(key(current), present, current.memberVersion);
        expect(plan.rotate).toBe(false);
        expect([...plan.handTo].sort()).toEqual(present.filter((d) => !current.recipients.includes(d)).sort());
      }),
    );
  });

  it('starts the first chain of a room', () => {
    expect(planDistribution(undefined, ['a', 'b'], 1)).toEqual({ rotate: true, handTo: ['a', 'b'] });
  });
});
