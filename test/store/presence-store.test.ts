import { setTimeout as sleep } from 'node:timers/promises';
import { describe } from 'vitest';
import { createMemoryPresenceStore, createRedisPresenceStore } from '../../store/index.js';
import { REDIS_URL, backendAvailable } from '../support/backends.js';
import { flushRedisDb } from '../support/redis.js';
import { describePresenceStoreContract } from './presence-store.contract.js';

describePresenceStoreContract('memory (fake clock)', async () => {
  let nowMs = 1_000_000;
  return {
    store: createMemoryPresenceStore(() => nowMs),
    advance: async (ms) => {
      nowMs += ms;
    },
  };
});

const redis = await backendAvailable('redis');
describe.skipIf(!redis)('Redis', () => {
  describePresenceStoreContract('Redis', async () => {
    const url = `${REDIS_URL}/4`;
    await flushRedisDb(url);
    // Redis expires keys on its own clock: the only way to let a TTL pass is to wait it out.
    return { store: createRedisPresenceStore(url), advance: (ms) => sleep(ms) };
  });
});
