/**
 * Redis connections with the platform's outage behaviour, for every part that uses Redis
 * (broker state, cross-node pub/sub, presence). Redis may vanish at any time; then:
 * - nothing waits for it: a command fails at once while the connection is down (no offline
 *   queue growing without bound, no call hanging until Redis returns), and a command that gets
 *   no answer fails after `commandTimeoutMs` (a hung server);
 * - nothing crashes: 'error' events are logged once per outage, not thrown;
 * - it comes back by itself: reconnect attempts at most REDIS_RECONNECT_MAX_MS apart, so a
 *   returning Redis is in use again within about that long.
 */
import { Redis } from 'ioredis';
import { redactUrl } from './dependency-url.js';
import { AppError } from './errors.js';
import type { Logger } from './log.js';

export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 2000;
/** The longest pause between two reconnect attempts: the recovery bound after Redis returns. */
export const REDIS_RECONNECT_MAX_MS = 1000;
/** How soon a caller told "Redis is unavailable" should try again. */
export const REDIS_RETRY_AFTER_MS = 1000;

export interface RedisConnectionOptions {
  /** What the connection is for, in log lines ('broker-state', 'pubsub-publish', 'presence', ...). */
  role: string;
  commandTimeoutMs: number;
}

/** Connections being closed on purpose: their 'close' is no outage. */
const closing = new WeakSet<Redis>();

export function createRedisConnection(url: string, deps: { log: Logger }, options: RedisConnectionOptions): Redis {
  const log = deps.log.child({ module: 'redis', role: options.role });
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    // Commands in flight when the connection drops fail with it, rather than being resent whenever Redis returns.
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: options.commandTimeoutMs,
    retryStrategy: (attempt) => Math.min(100 * attempt, REDIS_RECONNECT_MAX_MS),
    // Subscribers re-subscribe on 'ready' themselves: ioredis would skip subscriptions made while it was down.
    autoResubscribe: false,
  });
  // Before the first 'ready' a failure is the start-up's to report (connectRedis), in one line.
  let hasBeenReady = false;
  let isDown = false;
  let downSinceMs = 0;
  const wentDown = (err: string | undefined) => {
    if (closing.has(redis)) return;
    if (!hasBeenReady || isDown) return log.debug({ err }, 'redis unreachable');
    isDown = true;
    downSinceMs = Date.now();
    log.warn({ err }, 'redis connection lost: reconnecting');
  };
  redis.on('error', (error: Error) => wentDown(error.message));
  redis.on('close', () => wentDown(undefined));
  redis.on('ready', () => {
    hasBeenReady = true;
    if (!isDown) return;
    isDown = false;
    log.info({ downMs: Date.now() - downSinceMs }, 'redis connection restored');
  });
  return redis;
}

/** Opens `redis` (made by createRedisConnection); at start-up, a failure is one error naming where, without the password. */
export async function connectRedis(redis: Redis, url: string): Promise<void> {
  // connect() rejects with a bare "Connection is closed"; the 'error' event before it says why.
  let reason: Error | undefined;
  const onError = (error: Error) => (reason ??= error);
  redis.on('error', onError);
  try {
    await redis.connect();
  } catch (error) {
    closing.add(redis);
    redis.disconnect(); // no reconnecting in the background of a process that is about to give up
    throw new AppError('ERR_UNAVAILABLE', `cannot reach Redis at ${redactUrl(url)}: ${(reason ?? (error as Error)).message}`, {
      cause: reason ?? error,
      details: { dependency: 'redis' },
    });
  } finally {
    redis.off('error', onError);
  }
}

export const isRedisReady = (redis: Redis): boolean => redis.status === 'ready';

/** Closes `redis` without waiting on a server that may be gone: QUIT when connected, else drop the socket. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  closing.add(redis);
  if (!isRedisReady(redis)) return redis.disconnect();
  await redis.quit().then(
    () => undefined,
    () => redis.disconnect(),
  );
}

/** ERR_UNAVAILABLE for a caller whose Redis call failed (the API answers it 503 with Retry-After). */
export function redisUnavailable(cause: unknown): AppError<'ERR_UNAVAILABLE'> {
  return new AppError('ERR_UNAVAILABLE', 'Redis is unreachable right now; retry shortly', {
    cause,
    details: { dependency: 'redis', retryAfterMs: REDIS_RETRY_AFTER_MS },
  });
}

/** At start-up: resolves when Redis at `url` answers a PING within `commandTimeoutMs`, else rejects like connectRedis. */
export async function probeRedis(url: string, deps: { log: Logger }, options: { commandTimeoutMs: number }): Promise<void> {
  const redis = createRedisConnection(url, deps, { role: 'start-up check', ...options });
  await connectRedis(redis, url);
  try {
    await redis.ping();
  } catch (error) {
    throw new AppError('ERR_UNAVAILABLE', `Redis at ${redactUrl(url)} does not answer: ${(error as Error).message}`, {
      cause: error,
      details: { dependency: 'redis' },
    });
  } finally {
    await closeRedis(redis);
  }
}
