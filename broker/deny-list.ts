/**
 * The token deny list as a broker node holds it in memory, so CONNECT never waits for the
 * database: per user, the not-before of each revoked device and of the whole user
 * (ALL_DEVICES). A device's token is refused when it was issued before the later of the two.
 */
import { ALL_DEVICES, type TokenRevocation } from '../schema/index.js';

export interface DenyList {
  /** Adds a revocation; true when it moved a not-before forward (a device may have to go), false when it was known. */
  add(revocation: TokenRevocation): boolean;
  /** The not-before in force for the device's tokens (0: none). */
  notBeforeMs(userId: string, deviceId: string): number;
  size(): number;
}

export function createDenyList(): DenyList {
  const byUser = new Map<string, Map<string, number>>();
  let entries = 0;
  return {
    add({ userId, deviceId, notBeforeMs }) {
      let devices = byUser.get(userId);
      if (devices === undefined) byUser.set(userId, (devices = new Map<string, number>()));
      const known = devices.get(deviceId);
      if (known !== undefined && known >= notBeforeMs) return false;
      if (known === undefined) entries += 1;
      devices.set(deviceId, notBeforeMs);
      return true;
    },
    notBeforeMs(userId, deviceId) {
      const devices = byUser.get(userId);
      if (devices === undefined) return 0;
      return Math.max(devices.get(deviceId) ?? 0, devices.get(ALL_DEVICES) ?? 0);
    },
    size: () => entries,
  };
}
