import { Redis } from 'ioredis';
import type { PresenceStore, UserPresence } from './presence-store.js';

const deviceKey = (userId: string, deviceId: string) => `chat:presence:device:${userId}:${deviceId}`;
const devicesKey = (userId: string) => `chat:presence:devices:${userId}`;
const lastSeenKey = (userId: string) => `chat:presence:seen:${userId}`;
const ONLINE_USERS_KEY = 'chat:presence:online';

/**
 * Presence in Redis: one key per live device with a TTL (PX), a set of each user's devices,
 * and the set of users announced online. Any node can see that a crashed node's devices
 * expired; SREM on the online set decides which node announces it (exactly one).
 */
export function createRedisPresenceStore(redisUrl: string): PresenceStore {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });

  async function liveDeviceCount(userId: string): Promise<number> {
    const deviceIds = await redis.smembers(devicesKey(userId));
    if (deviceIds.length === 0) return 0;
    const alive = await redis.exists(...deviceIds.map((d) => deviceKey(userId, d)));
    return alive;
  }

  async function markOffline(userId: string, atMs: number): Promise<boolean> {
    if ((await liveDeviceCount(userId)) > 0) return false;
    const claimed = (await redis.srem(ONLINE_USERS_KEY, userId)) === 1;
    if (claimed) await redis.multi().del(devicesKey(userId)).set(lastSeenKey(userId), String(atMs)).exec();
    return claimed;
  }

  return {
    async refresh(userId, deviceId, ttlMs) {
      const results = await redis
        .multi()
        .set(deviceKey(userId, deviceId), '1', 'PX', ttlMs)
        .sadd(devicesKey(userId), deviceId)
        .sadd(ONLINE_USERS_KEY, userId)
        .exec();
      return results?.[2]?.[1] === 1;
    },
    async drop(userId, deviceId, atMs) {
      await redis.multi().del(deviceKey(userId, deviceId)).srem(devicesKey(userId), deviceId).exec();
      return markOffline(userId, atMs);
    },
    async read(userIds) {
      const entries = await Promise.all(
        userIds.map(async (userId): Promise<[string, UserPresence]> => {
          if ((await liveDeviceCount(userId)) > 0) return [userId, { online: true, lastSeenMs: 0 }];
          return [userId, { online: false, lastSeenMs: Number((await redis.get(lastSeenKey(userId))) ?? 0) }];
        }),
      );
      return new Map(entries);
    },
    async sweepExpired(atMs) {
      const candidates = await redis.smembers(ONLINE_USERS_KEY);
      const claimed = await Promise.all(candidates.map(async (userId) => ((await markOffline(userId, atMs)) ? userId : undefined)));
      return claimed.filter((userId): userId is string => userId !== undefined);
    },
    async close() {
      await redis.quit();
    },
  };
}
