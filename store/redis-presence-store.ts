import { silentLogger, type Logger } from '../lib/log.js';
import {
  closeRedis,
  createRedisConnection,
  DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
  isRedisReady,
  redisUnavailable,
} from '../lib/redis-connection.js';
import type { PresenceStore, UserPresence } from './presence-store.js';

const deviceKey = (userId: string, deviceId: string) => `chat:presence:device:${userId}:${deviceId}`;
const devicesKey = (userId: string) => `chat:presence:devices:${userId}`;
const lastSeenKey = (userId: string) => `chat:presence:seen:${userId}`;
const ONLINE_USERS_KEY = 'chat:presence:online';

/**
 * Presence in Redis: one key per live device with a TTL (PX), a set of each user's devices,
 * and the set of users announced online. Any node can see that a crashed node's devices
 * expired; SREM on the online set decides which node announces it (exactly one).
 *
 * Presence is soft state, so a lost Redis degrades it and nothing else: every call fails at
 * once (or after `commandTimeoutMs` on a hung Redis) with ERR_UNAVAILABLE, which the broker logs
 * and the API answers 503; the connection comes back by itself, and the broker's next refresh
 * re-announces its devices.
 */
export function createRedisPresenceStore(
  redisUrl: string,
  deps: { log: Logger } = { log: silentLogger() },
  options: { commandTimeoutMs: number } = { commandTimeoutMs: DEFAULT_REDIS_COMMAND_TIMEOUT_MS },
): PresenceStore {
  const redis = createRedisConnection(redisUrl, deps, { role: 'presence', commandTimeoutMs: options.commandTimeoutMs });
  // Calls made while it first connects wait for that (bounded by the connect timeout); after a
  // failed first attempt they fail as unavailable while it keeps trying in the background.
  const firstConnect = redis.connect().then(
    () => undefined,
    () => undefined,
  );

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

  /** Waits for the first connection, and turns any Redis failure into ERR_UNAVAILABLE (its cause kept). */
  async function guarded<R>(work: () => Promise<R>): Promise<R> {
    await firstConnect;
    try {
      return await work();
    } catch (error) {
      throw redisUnavailable(error);
    }
  }

  return {
    refresh: (userId, deviceId, ttlMs) =>
      guarded(async () => {
        const results = await redis
          .multi()
          .set(deviceKey(userId, deviceId), '1', 'PX', ttlMs)
          .sadd(devicesKey(userId), deviceId)
          .sadd(ONLINE_USERS_KEY, userId)
          .exec();
        return results?.[2]?.[1] === 1;
      }),
    drop: (userId, deviceId, atMs) =>
      guarded(async () => {
        await redis.multi().del(deviceKey(userId, deviceId)).srem(devicesKey(userId), deviceId).exec();
        return markOffline(userId, atMs);
      }),
    read: (userIds) =>
      guarded(async () => {
        const entries = await Promise.all(
          userIds.map(async (userId): Promise<[string, UserPresence]> => {
            if ((await liveDeviceCount(userId)) > 0) return [userId, { online: true, lastSeenMs: 0 }];
            return [userId, { online: false, lastSeenMs: Number((await redis.get(lastSeenKey(userId))) ?? 0) }];
          }),
        );
        return new Map(entries);
      }),
    sweepExpired: (atMs) =>
      guarded(async () => {
        const candidates = await redis.smembers(ONLINE_USERS_KEY);
        const claimed = await Promise.all(candidates.map(async (userId) => ((await markOffline(userId, atMs)) ? userId : undefined)));
        return claimed.filter((userId): userId is string => userId !== undefined);
      }),
    isHealthy: () => isRedisReady(redis),
    close: () => closeRedis(redis),
  };
}
