/**
 * Presence in Redis degrades, and nothing else: while its private redis-server is killed every
 * call fails at once with ERR_UNAVAILABLE (no call waits for Redis, nothing is thrown at the
 * process), and the store is back by itself once Redis is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisPresenceStore, type PresenceStore } from '../../store/index.js';
import { usableOrSkip } from '../support/backends.js';
import { eventually } from '../support/outage.js';
import { privateRedisProblem, startPrivateRedis, type PrivateRedis } from '../support/private-redis.js';
import { silentLogger } from '../../lib/log.js';

const COMMAND_TIMEOUT_MS = 500;
const usable = usableOrSkip('redis', 'private Redis', await privateRedisProblem());

describe.skipIf(!usable)('Redis presence store across a Redis restart', () => {
  let redis: PrivateRedis;
  let store: PresenceStore;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    store = createRedisPresenceStore(redis.url, { log: silentLogger() }, { commandTimeoutMs: COMMAND_TIMEOUT_MS });
  });
  afterAll(async () => {
    await store?.close();
    await redis?.destroy();
  });

  it('fails every call with ERR_UNAVAILABLE while Redis is gone, and serves again once it is back', async () => {
    expect(await store.refresh('ann', 'phone', 60_000)).toBe(true);
    expect(store.isHealthy()).toBe(true);

    await redis.stop();
    await eventually(() => !store.isHealthy(), 'the store noticing', 5000);
    const calls = [
      store.refresh('ann', 'phone', 60_000),
      store.drop('ann', 'phone', 1),
      store.read(['ann']),
      store.sweepExpired(Date.now()),
    ];
    const startedMs = Date.now();
    for (const call of calls) await expect(call).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE', details: { dependency: 'redis' } });
    expect(Date.now() - startedMs, 'failed at once, not after retries').toBeLessThan(COMMAND_TIMEOUT_MS);

    await redis.start();
    const recoveredMs = await eventually(() => store.isHealthy(), 'the store reconnecting', 5000);
    // Redis came back empty (no persistence): the device is new to it, so its refresh makes ann online again.
    expect(await store.refresh('ann', 'phone', 60_000)).toBe(true);
    expect((await store.read(['ann'])).get('ann')).toEqual({ online: true, lastSeenMs: 0 });
    console.log(`presence store: back ${recoveredMs} ms after Redis was`);
  });
});
