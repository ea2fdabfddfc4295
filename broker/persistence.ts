/**
 * Broker state: Aedes in memory by default; with REDIS_URL, aedes-persistence-redis for
 * sessions and retained messages plus mqemitter-redis so every node sees every publish.
 */
import { createRequire } from 'node:module';
import type { AedesOptions } from 'aedes';
import { Redis } from 'ioredis';

const require = createRequire(import.meta.url);

export type BrokerStateKind = 'memory' | 'redis';

export function brokerState(redisUrl: string | undefined): { kind: BrokerStateKind; options: Pick<AedesOptions, 'persistence' | 'mq'> } {
  if (redisUrl === undefined) return { kind: 'memory', options: {} };
  // Both are CommonJS. The async class is what Aedes 1.x requires; the package's main export wraps it in callbacks.
  const AsyncRedisPersistence = require('aedes-persistence-redis/asyncPersistence.js') as new (opts: { conn: Redis }) => unknown;
  const mqemitterRedis = require('mqemitter-redis') as (opts: { connectionString: string }) => unknown;
  return {
    kind: 'redis',
    options: { persistence: new AsyncRedisPersistence({ conn: new Redis(redisUrl) }), mq: mqemitterRedis({ connectionString: redisUrl }) },
  };
}
