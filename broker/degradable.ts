/**
 * aedes-persistence-redis made to live through Redis outages. Three wrappers, each for one way
 * a lost Redis would otherwise hurt:
 * - some of its writes are fire-and-forget (`putWill`, `delWill` drop the promise of an LREM):
 *   while Redis is down each would be an unhandled rejection, fatal to the process;
 * - what a clean session asks of it (clear old subscriptions and Will, store the new Will,
 *   retained messages) is soft state: while Redis is down it is skipped with a log line, so
 *   devices still connect and subscribe, and live presence still flows. Reads (retained
 *   messages, a session's queued messages, Wills of dead nodes) end early, as if empty: they
 *   remove nothing, so what is there is read at the next chance. What a persistent session
 *   needs written or restored (its subscriptions, messages queued while it is away) still
 *   fails loudly: that cannot be made up;
 * - Aedes 1.2's SUBSCRIBE calls `.pipe()` on the retained-message answer, which this version
 *   returns as an async generator: without a Readable around it, the first SUBSCRIBE crashed.
 */
import { Readable } from 'node:stream';
import type { Redis } from 'ioredis';
import type { Logger } from '../lib/log.js';
import type { RedisPersistence } from './aedes-internals.js';

/** `redis` whose command promises never go unhandled: a caller that awaits one still sees its rejection. */
export function withHandledCommands(redis: Redis): Redis {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(redis, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (!wrapped.has(property)) {
        wrapped.set(property, (...args: unknown[]) => {
          const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (result instanceof Promise) result.catch(() => undefined);
          return result;
        });
      }
      return wrapped.get(property);
    },
  });
}

export function withDegradableHousekeeping<T extends RedisPersistence>(persistence: T, log: Logger): T {
  /** `call`, answering `fallback` instead of failing while Redis is unreachable. */
  const soft = <A extends unknown[]>(name: string, call: (...args: A) => Promise<unknown>, fallback: unknown) => {
    return async (...args: A): Promise<unknown> => {
      try {
        return await call(...args);
      } catch (error) {
        log.debug({ call: name, err: (error as Error).message }, 'broker state not updated (redis unreachable): skipped');
        return fallback;
      }
    };
  };
  // Calls whose failure costs a clean session only soft state, and what they answer instead.
  persistence.cleanSubscriptions = soft('cleanSubscriptions', persistence.cleanSubscriptions.bind(persistence), undefined);
  persistence.cleanIncoming = soft('cleanIncoming', persistence.cleanIncoming.bind(persistence), undefined);
  persistence.delWill = soft('delWill', persistence.delWill.bind(persistence), null); // "no Will was stored"
  // The Will still fires from this node's memory; only another node could not fire it for us.
  persistence.putWill = soft('putWill', persistence.putWill.bind(persistence), undefined);
  // Delivered live; a later subscriber gets it once Redis is back and it changes again.
  persistence.storeRetained = soft('storeRetained', persistence.storeRetained.bind(persistence), undefined);
  // Reads while Redis is down end early, as if there were nothing, instead of failing the SUBSCRIBE
  // (retained), the CONNECT (queued messages: every CONNECT reads them, clean or not) or Aedes
  // (Wills of dead nodes). Reading removes nothing, so what is there is read at the next chance.
  const retained = persistence.createRetainedStreamCombi.bind(persistence);
  // As a Readable, which Aedes pipes.
  persistence.createRetainedStreamCombi = (patterns) => Readable.from(endOnError(toIterable(retained(patterns)), 'retained messages', log));
  const wills = persistence.streamWill.bind(persistence);
  persistence.streamWill = (brokers) => endOnError(wills(brokers), 'wills', log);
  const queued = persistence.outgoingStream.bind(persistence);
  persistence.outgoingStream = (client) => endOnError(queued(client), 'queued messages', log);
  return persistence;
}

const toIterable = (source: AsyncIterable<unknown> | Readable): AsyncIterable<unknown> => source;

async function* endOnError(source: AsyncIterable<unknown>, what: string, log: Logger): AsyncGenerator<unknown> {
  try {
    yield* source;
  } catch (error) {
    log.debug({ err: (error as Error).message }, `${what} not read (redis unreachable): none`);
  }
}
