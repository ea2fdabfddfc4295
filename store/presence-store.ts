/**
 * Presence soft state (docs/signals.md#soft-state-and-ttls): which devices are alive, as keys that
 * expire unless the broker node holding the connection refreshes them. A crashed node stops
 * refreshing, so its users go offline when their keys expire, with no packet sent. Two
 * implementations keep one contract: in memory (embedded, one node) and Redis (many nodes).
 */
export interface UserPresence {
  online: boolean;
  /** When the user was last seen online (ms since epoch); 0 when never, or while online. */
  lastSeenMs: number;
}

export interface PresenceStore {
  /** The device is alive for another `ttlMs`. Resolves true when this made its user online. */
  refresh(userId: string, deviceId: string, ttlMs: number): Promise<boolean>;
  /** The device left (disconnect or Last Will). Resolves true when this made its user offline. */
  drop(userId: string, deviceId: string, atMs: number): Promise<boolean>;
  read(userIds: readonly string[]): Promise<Map<string, UserPresence>>;
  /**
   * Users announced online whose devices have all expired since: each is returned to exactly
   * one caller (across nodes), which announces them offline.
   */
  sweepExpired(atMs: number): Promise<string[]>;
  /** False while the store cannot be reached (its calls then fail with ERR_UNAVAILABLE). */
  isHealthy(): boolean;
  close(): Promise<void>;
}

/** Presence as its readers see it (GET /v1/presence, the push worker asking who is online). */
export type PresenceReader = Pick<PresenceStore, 'read'>;

export function createMemoryPresenceStore(now: () => number = Date.now): PresenceStore {
  const devices = new Map<string, Map<string, number>>(); // user -> device -> expiresAtMs
  const lastSeen = new Map<string, number>();
  const announcedOnline = new Set<string>();

  const liveDevices = (userId: string, atMs: number): number =>
    [...(devices.get(userId)?.values() ?? [])].filter((expiresAtMs) => expiresAtMs > atMs).length;

  function markOffline(userId: string, atMs: number): boolean {
    if (liveDevices(userId, now()) > 0 || !announcedOnline.delete(userId)) return false;
    devices.delete(userId);
    lastSeen.set(userId, atMs);
    return true;
  }

  return {
    async refresh(userId, deviceId, ttlMs) {
      const userDevices = devices.get(userId) ?? new Map<string, number>();
      userDevices.set(deviceId, now() + ttlMs);
      devices.set(userId, userDevices);
      const becameOnline = !announcedOnline.has(userId);
      announcedOnline.add(userId);
      return becameOnline;
    },
    async drop(userId, deviceId, atMs) {
      devices.get(userId)?.delete(deviceId);
      return markOffline(userId, atMs);
    },
    async read(userIds) {
      const atMs = now();
      return new Map(
        userIds.map((id) => [
          id,
          liveDevices(id, atMs) > 0 ? { online: true, lastSeenMs: 0 } : { online: false, lastSeenMs: lastSeen.get(id) ?? 0 },
        ]),
      );
    },
    async sweepExpired(atMs) {
      return [...announcedOnline].filter((userId) => markOffline(userId, atMs));
    },
    isHealthy: () => true,
    async close() {},
  };
}
