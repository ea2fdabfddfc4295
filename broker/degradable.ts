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

/** The parts of aedes-persistence-redis's AsyncRedisPersistence this module touches. */
export interface RedisPersistence {
  createRetainedStreamCombi(patterns: string[]): AsyncIterable<unknown> | Readable;
  streamWill(brokers: unknown): AsyncIterable<unknown>;
  outgoingStream(client: unknown): AsyncIterable<unknown>;
  cleanSubscriptions(client: unknown): Promise<unknown>;
  cleanIncoming(client: unknown): Promise<unknown>;
  delWill(client: unknown): Promise<unknown>;
  putWill(client: unknown, packet: unknown): Promise<unknown>;
  storeRetained(packet: unknown): Promise<unknown>;
  destroy(): Promise<void>;
}

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

/** Calls whose failure costs a clean session only soft state, and what they answer instead. */
const SOFT_CALLS = {
  cleanSubscriptions: undefined,
  cleanIncoming: undefined,
  delWill: null, // "no Will was stored"
  putWill: undefined, // the Will still fires from this node's memory; only another node could not fire it for us
  storeRetained: undefined, // delivered live; a later subscriber gets it once Redis is back and it changes again
} as const;

type SoftCall = (...args: unknown[]) => Promise<unknown>;

export function withDegradableHousekeeping<T extends RedisPersistence>(persistence: T, log: Logger): T {
  const calls = persistence as unknown as Record<keyof typeof SOFT_CALLS, SoftCall>;
  for (const [name, fallback] of Object.entries(SOFT_CALLS) as [keyof typeof SOFT_CALLS, unknown][]) {
    const original = calls[name].bind(persistence);
    calls[name] = async (...args) => {
      try {
        return await original(...args);
      } catch (error) {
        log.debug({ call: name, err: (error as Error).message }, 'broker state not updated (redis unreachable): skipped');
        return fallback;
      }
    };
  }
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
