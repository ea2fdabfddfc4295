/**
 * Battery capacity and the "percent of the battery per day" that the radio model's energy
 * amounts to (docs/mobile-realities.md#battery: %/day = 100 · E_day / (Wh · 3600)).
 */

export type BatterySpec = { capacityWh: number } | { capacityMah: number; nominalVoltageV: number };

/** iPhone 15: 3349 mAh = 12.981 Wh (Chinese regulatory listing, via MacTech 2023-09-15; docs/mobile-realities.md#battery). 1 % ≈ 467 J. */
export const IPHONE_15_BATTERY: BatterySpec = { capacityWh: 12.981 };

/** Galaxy S24: 4000 mAh typical (GalaxyClub/Gadgets360), at an assumed 3.88 V nominal ≈ 15.5 Wh (docs/mobile-realities.md#battery). */
export const GALAXY_S24_BATTERY: BatterySpec = { capacityMah: 4000, nominalVoltageV: 3.88 };

export const DEFAULT_BATTERY = IPHONE_15_BATTERY;

const MS_PER_DAY = 86_400_000;

export function batteryJoules(battery: BatterySpec): number {
  const wattHours = 'capacityWh' in battery ? battery.capacityWh : (battery.capacityMah / 1000) * battery.nominalVoltageV;
  if (!(wattHours > 0) || !Number.isFinite(wattHours)) throw new RangeError(`battery capacity must be positive, got ${wattHours} Wh`);
  return wattHours * 3600;
}

/** The share of the battery, in percent, that `energyJ` spent over `elapsedMs` would use in a day at the same rate. */
export function batteryPercentPerDay(energyJ: number, elapsedMs: number, battery: BatterySpec = DEFAULT_BATTERY): number {
  if (!(elapsedMs > 0)) throw new RangeError(`elapsedMs must be positive, got ${elapsedMs}`);
  return (100 * energyJ * (MS_PER_DAY / elapsedMs)) / batteryJoules(battery);
}
