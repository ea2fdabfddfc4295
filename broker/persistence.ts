/**
 * Broker state: Aedes in memory by default; with REDIS_URL, aedes-persistence-redis for
 * sessions and retained messages plus mqemitter-redis so every node sees every publish.
 */
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import type { AedesOptions } from 'aedes';
import { Redis } from 'ioredis';

const require = createRequire(import.meta.url);

export type BrokerStateKind = 'memory' | 'redis';

export function brokerState(redisUrl: string | undefined): { kind: BrokerStateKind; options: Pick<AedesOptions, 'persistence' | 'mq'> } {
  if (redisUrl === undefined) return { kind: 'memory', options: {} };
  // Both are CommonJS. The async class is what Aedes 1.x requires; the package's main export wraps it in callbacks.
  const AsyncRedisPersistence = require('aedes-persistence-redis/asyncPersistence.js') as new (opts: { conn: Redis }) => RetainedSource;
  const mqemitterRedis = require('mqemitter-redis') as (opts: { connectionString: string }) => unknown;
  const persistence = withStreamingRetained(new AsyncRedisPersistence({ conn: new Redis(redisUrl) }));
  const mq = withQuietQuit(mqemitterRedis({ connectionString: redisUrl }) as QuittingEmitter);
  return { kind: 'redis', options: { persistence, mq } };
}

interface QuittingEmitter {
  pubConn: Pick<Redis, 'quit'>;
  subConn: Pick<Redis, 'quit'>;
}

/**
 * mqemitter-redis 7 closes with `pubConn.quit()` and drops the promise. Aedes, closing, still
 * publishes a `$SYS/.../disconnect/clients` per client it disconnects; when those follow the QUIT,
 * the connection can end before QUIT's reply and the dropped promise rejects ("Connection is
 * closed") with nobody to handle it, failing whatever runs in the process. Shutting down is what
 * was asked for, so that rejection is ignored.
 */
function withQuietQuit<T extends QuittingEmitter>(emitter: T): T {
  for (const conn of [emitter.pubConn, emitter.subConn]) {
    const quit = conn.quit.bind(conn);
    conn.quit = (...args: Parameters<Redis['quit']>) => {
      const quitting = quit(...args);
      quitting.catch(() => undefined);
      return quitting;
    };
  }
  return emitter;
}

interface RetainedSource {
  createRetainedStreamCombi(patterns: string[]): AsyncIterable<unknown> | Readable;
}

/**
 * aedes-persistence-redis 12 answers retained-message queries with an async generator, but
 * Aedes 1.2's SUBSCRIBE handler calls `.pipe()` on the answer (the in-memory persistence
 * returns a Readable): without this, the first SUBSCRIBE on Redis crashes the process.
 */
function withStreamingRetained<T extends RetainedSource>(persistence: T): T {
  const original = persistence.createRetainedStreamCombi.bind(persistence);
  persistence.createRetainedStreamCombi = (patterns) => {
    const result = original(patterns);
    return result instanceof Readable ? result : Readable.from(result);
  };
  return persistence;
}
