/**
 * Broker state: Aedes in memory by default; with REDIS_URL, aedes-persistence-redis for
 * sessions and retained messages plus a local-first emitter that forwards publishes to the
 * other nodes through Redis pub/sub (local-first-emitter.ts).
 *
 * Losing Redis must cost only what lives in Redis: the node keeps serving its own clients and
 * reconnects by itself. Three connections (state, publish, subscribe) fail fast while Redis is
 * down (lib/redis-connection.ts), and the persistence is wrapped so that what a clean session
 * needs from it does not fail with Redis (degradable.ts).
 */
import type { AedesOptions } from 'aedes';
import type { Logger } from '../lib/log.js';
import { closeRedis, connectRedis, createRedisConnection, isRedisReady } from '../lib/redis-connection.js';
import { createRedisPersistence } from './aedes-internals.js';
import { withDegradableHousekeeping, withHandledCommands } from './degradable.js';
import { createLocalFirstEmitter } from './local-first-emitter.js';

export type BrokerStateKind = 'memory' | 'redis';

export interface BrokerState {
  readonly kind: BrokerStateKind;
  readonly options: Pick<AedesOptions, 'persistence' | 'mq'>;
  /** True while every Redis connection is up (always true in memory). */
  isHealthy(): boolean;
  /** After Aedes has closed (it closes the emitter itself). */
  close(): Promise<void>;
}

export interface BrokerStateDeps {
  log: Logger;
  /** A publish that did not reach the other nodes because Redis was down. */
  onForwardDropped?: () => void;
}

/** Deliveries in flight at once on the message bus: Aedes's own default. */
const MQ_CONCURRENCY = 100;

export async function openBrokerState(
  redisUrl: string | undefined,
  deps: BrokerStateDeps,
  options: { commandTimeoutMs: number },
): Promise<BrokerState> {
  if (redisUrl === undefined) return { kind: 'memory', options: {}, isHealthy: () => true, close: async () => undefined };
  const connection = (role: string) => createRedisConnection(redisUrl, deps, { role, commandTimeoutMs: options.commandTimeoutMs });
  const connections = [connection('broker-state'), connection('pubsub-publish'), connection('pubsub-subscribe')] as const;
  const [state, publisher, subscriber] = connections;
  try {
    await Promise.all(connections.map((redis) => connectRedis(redis, redisUrl)));
  } catch (error) {
    await Promise.all(connections.map(closeRedis));
    throw error;
  }
  const persistence = withDegradableHousekeeping(
    createRedisPersistence(withHandledCommands(state)),
    deps.log.child({ module: 'broker-persistence' }),
  );
  const mq = createLocalFirstEmitter({ publisher, subscriber, ...deps }, { concurrency: MQ_CONCURRENCY });
  return {
    kind: 'redis',
    options: { persistence, mq }, // Aedes types both as `any`
    isHealthy: () => connections.every(isRedisReady),
    async close() {
      await persistence.destroy();
      await closeRedis(state);
    },
  };
}
