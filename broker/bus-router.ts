/**
 * Where the in-machine bus (WORKERS > 1 without Redis) sends a publish: to the workers that have
 * a subscriber whose filter matches its topic, never back to its sender, and once per worker
 * however many of its filters match. A worker tells the router a filter when its first local
 * subscriber wants it and takes it back with its last, so a room's traffic reaches only the
 * workers with members of that room connected: the per-room channels Redis pub/sub gives the
 * same emitter across machines.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The part of qlobber's QlobberDedup used here (CommonJS, untyped). */
interface QlobberDedup {
  add(topic: string, value: number): void;
  remove(topic: string, value: number): void;
  match(topic: string): Set<number>;
}
const { QlobberDedup } = require('qlobber') as { QlobberDedup: new (options: Record<string, unknown>) => QlobberDedup };

export interface BusRouter {
  subscribe(worker: number, filter: string): void;
  unsubscribe(worker: number, filter: string): void;
  /** A worker is gone (crashed or stopped): none of its filters remain. */
  forget(worker: number): void;
  /** The workers a publish on `topic` from worker `from` goes to. */
  targets(topic: string, from: number): number[];
  /** How many filters `worker` holds (for tests and metrics). */
  filterCount(worker: number): number;
}

export function createBusRouter(): BusRouter {
  // MQTT semantics, as Aedes's own matcher: `+` one level, `#` any levels including none.
  const matcher = new QlobberDedup({ separator: '/', wildcard_one: '+', wildcard_some: '#', match_empty_levels: true });
  const filters = new Map<number, Set<string>>();
  return {
    subscribe(worker, filter) {
      const own = filters.get(worker) ?? new Set<string>();
      filters.set(worker, own);
      if (own.has(filter)) return;
      own.add(filter);
      matcher.add(filter, worker);
    },
    unsubscribe(worker, filter) {
      if (filters.get(worker)?.delete(filter) !== true) return;
      matcher.remove(filter, worker);
    },
    forget(worker) {
      for (const filter of filters.get(worker) ?? []) matcher.remove(filter, worker);
      filters.delete(worker);
    },
    targets(topic, from) {
      return [...matcher.match(topic)].filter((worker) => worker !== from);
    },
    filterCount: (worker) => filters.get(worker)?.size ?? 0,
  };
}
