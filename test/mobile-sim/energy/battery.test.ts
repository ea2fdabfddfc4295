import { describe, expect, it } from 'vitest';
import {
  batteryJoules,
  batteryPercentPerDay,
  DEFAULT_BATTERY,
  GALAXY_S24_BATTERY,
  IPHONE_15_BATTERY,
} from '../../../mobile-sim/energy/battery.js';
import { createRadioModel } from '../../../mobile-sim/energy/radio-model.js';

describe('battery', () => {
  it('defaults to an iPhone 15: 12.981 Wh, so 1 % is about 467 J', () => {
    expect(DEFAULT_BATTERY).toBe(IPHONE_15_BATTERY);
    expect(batteryJoules(IPHONE_15_BATTERY) / 100).toBeCloseTo(467.3, 1);
  });

  it('converts mAh at a nominal voltage: a Galaxy S24 at 4000 mAh × 3.88 V ≈ 15.5 Wh', () => {
    expect(batteryJoules(GALAXY_S24_BATTERY) / 3600).toBeCloseTo(15.52, 2);
  });

  it('scales energy over any period to percent per day', () => {
    expect(batteryPercentPerDay(467.3, 86_400_000)).toBeCloseTo(1, 3);
    expect(batteryPercentPerDay(467.3, 3_600_000)).toBeCloseTo(24, 2);
    expect(batteryPercentPerDay(467.3, 86_400_000, { capacityWh: 2 * 12.981 })).toBeCloseTo(0.5, 3);
  });

  it('puts LTE paging alone at 3.7 %/day and a 60 s LTE keepalive near 35.5 %/day, as docs/mobile-realities.md#battery tabulates', () => {
    const idle = createRadioModel();
    expect(batteryPercentPerDay(idle.report(86_400_000).energyJ, 86_400_000)).toBeCloseTo(3.7, 1);

    const keepalive = createRadioModel();
    for (let atMs = 0; atMs < 86_400_000; atMs += 60_000) {
      keepalive.onPacket(atMs, 42, 'up');
      keepalive.onPacket(atMs + 360, 42, 'down');
    }
    const report = keepalive.report(86_400_000);
    expect(report.wakeups).toBe(1440);
    // The published table counts the keepalives only (1440 × 11.5 J); the model adds paging between
    // them.
    const pagingJ = report.byState['idle']!.energyJ;
    expect(batteryPercentPerDay(report.energyJ - pagingJ, 86_400_000)).toBeCloseTo(35.4, 0);
  });

  it('rejects capacities and periods that are not positive', () => {
    expect(() => batteryJoules({ capacityWh: 0 })).toThrow(RangeError);
    expect(() => batteryJoules({ capacityMah: 3000, nominalVoltageV: Number.NaN })).toThrow(RangeError);
    expect(() => batteryPercentPerDay(1, 0)).toThrow(/elapsedMs/);
  });
});
