/**
 * Where the in-machine bus (WORKERS > 1 without Redis) sends a publish: to the workers that have
 * a subscriber whose filter matches its topic, never back to its sender, and once per worker
 * however many of its filters match. A worker tells the router a filter when its first local
 * subscriber wants it and takes it back with its last, so a room's traffic reaches only the
 * workers with members of that room connected: the per-room channels Redis pub/sub gives the
 * same emitter across machines.
 */
import { createRequire } from 'node:module';
import type { Packet } from './local-first-emitter.js';
import type { BusMessage } from './machine-bus-emitter.js';

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

export interface BusHub {
  /** What worker `from` said, and what each worker must be told as a result. */
  receive(from: number, message: BusMessage): { to: number; message: BusMessage }[];
  /** A worker is gone: none of its filters remain (its retained messages do). */
  forget(worker: number): void;
}

/**
 * The primary's half of the in-machine bus: routes publishes by filter, and keeps the retained
 * ones. Retained messages (presence) go to every worker whatever its filters, since each keeps
 * them in its own memory for devices that subscribe later; and a worker that says hello (a new
 * one, or one restarted after a crash) is given every retained message there is.
 */
export function createBusHub(): BusHub {
  const router = createBusRouter();
  const retained = new Map<string, Packet>();
  const workers = new Set<number>();
  return {
    receive(from, message) {
      workers.add(from);
      switch (message.t) {
        case 'bus-sub':
          router.subscribe(from, message.filter);
          return [];
        case 'bus-unsub':
          router.unsubscribe(from, message.filter);
          return [];
        case 'bus-hello':
          return [...retained.values()].map((packet) => ({ to: from, message: { t: 'bus-msg', packet } }));
        case 'bus-pub': {
          const { packet } = message;
          const isRetained = (packet as { retain?: unknown }).retain === true;
          if (!isRetained) return router.targets(packet.topic, from).map((to) => ({ to, message: { t: 'bus-msg', packet } }));
          const { payload } = packet as { payload?: Uint8Array | string };
          const isClearing = payload === undefined || payload.length === 0; // an empty retained publish deletes it [MQTT-3.3.1-10]
          if (isClearing) retained.delete(packet.topic);
          else retained.set(packet.topic, packet);
          return [...workers].filter((to) => to !== from).map((to) => ({ to, message: { t: 'bus-msg', packet } }));
        }
        default:
          return [];
      }
    },
    forget(worker) {
      router.forget(worker);
      workers.delete(worker);
    },
  };
}
