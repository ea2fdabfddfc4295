/**
 * Aedes's message bus (its `mq`) for the workers of one node when there is no Redis
 * (WORKERS > 1): local first, as local-first-emitter.ts is over Redis. A publish reaches this
 * worker's subscribers at once and goes up a channel to the primary process, which hands it on
 * only to the workers that told it they have a subscriber for its topic (bus-router.ts): a
 * worker asks for a filter when its first local subscriber wants it and gives it back with its
 * last, so a room's messages travel only to workers with a member of that room online.
 *
 * Retained messages live in each worker's own memory persistence, so one arriving from another
 * worker is stored here too (`storeRetained`): a device subscribing on this worker later gets it.
 * The primary sends retained messages to every worker whatever its filters, and the whole set to
 * a worker that says hello (bus-router.ts `createBusHub`), so a restarted worker has them too.
 * The channel is ordered (one IPC pipe each way), so publishes from one worker arrive in the
 * order they were made, as with one Redis connection.
 */
import mqemitter from 'mqemitter';
import type { LocalFirstEmitter, LocalFirstEmitterOptions, Packet } from './local-first-emitter.js';

/** What travels between a worker and the primary on the bus. */
export type BusMessage =
  /** A new worker's first word: the primary answers with every retained message it keeps. */
  | { t: 'bus-hello' }
  | { t: 'bus-sub'; filter: string }
  | { t: 'bus-unsub'; filter: string }
  | { t: 'bus-pub'; packet: Packet }
  | { t: 'bus-msg'; packet: Packet };

/** The worker's end of the channel to the primary (process.send / process.on('message') in a cluster worker). */
export interface BusChannel {
  /** False when the message could not be handed on (the primary is gone). */
  send(message: BusMessage): boolean;
  onMessage(listener: (message: BusMessage) => void): void;
}

export interface MachineBusDeps {
  channel: BusChannel;
  /** Keeps a retained message from another worker in this worker's persistence (set once Aedes exists). */
  storeRetained?: (packet: Packet) => void;
  /** A publish arrived from another worker (counted per topic kind). */
  onReceived?: (topic: string) => void;
  /** A publish that could not be handed to the primary. */
  onForwardDropped?: () => void;
}

export interface MachineBusEmitter extends LocalFirstEmitter {
  /** Aedes's persistence exists only after the emitter is handed to it. */
  setStoreRetained(store: (packet: Packet) => void): void;
}

export function createMachineBusEmitter(deps: MachineBusDeps, options: LocalFirstEmitterOptions): MachineBusEmitter {
  const local = mqemitter({ concurrency: options.concurrency, matchEmptyLevels: true });
  const localOnly = new Set(options.localOnlyFilters); // as in local-first-emitter.ts
  const wanted = new Map<string, number>();
  let storeRetained = deps.storeRetained;
  /** Retained messages that arrived before Aedes (and so its persistence) existed. */
  const early: Packet[] = [];
  let closed = false;

  deps.channel.onMessage((message) => {
    if (message.t !== 'bus-msg' || closed) return;
    const packet = { ...message.packet, payload: asBuffer(message.packet.payload) };
    deps.onReceived?.(packet.topic);
    if ((message.packet as { retain?: unknown }).retain === true) {
      if (storeRetained === undefined) early.push(packet);
      else storeRetained(packet);
    }
    local.emit(packet);
  });
  deps.channel.send({ t: 'bus-hello' });

  const emitter: MachineBusEmitter = {
    on(topic, listener, done) {
      local.on(topic, listener);
      if (localOnly.has(topic)) {
        if (done !== undefined) setImmediate(done);
        return emitter;
      }
      const count = wanted.get(topic) ?? 0;
      wanted.set(topic, count + 1);
      if (count === 0) deps.channel.send({ t: 'bus-sub', filter: topic });
      if (done !== undefined) setImmediate(done);
      return emitter;
    },
    removeListener(topic, listener, done) {
      local.removeListener(topic, listener, done);
      if (localOnly.has(topic)) return;
      const count = (wanted.get(topic) ?? 0) - 1;
      if (count > 0) return void wanted.set(topic, count);
      wanted.delete(topic);
      deps.channel.send({ t: 'bus-unsub', filter: topic });
    },
    emit(packet, done) {
      if (closed) return done?.(new Error('the broker message bus is closed'));
      local.emit(packet, done);
      if (!deps.channel.send({ t: 'bus-pub', packet: { ...packet } })) deps.onForwardDropped?.();
    },
    close(done) {
      closed = true;
      local.close(done);
    },
    setStoreRetained(store) {
      storeRetained = store;
      for (const packet of early.splice(0)) store(packet);
    },
  };
  return emitter;
}

/** Structured clone over IPC may hand a Buffer back as a plain Uint8Array. */
function asBuffer(payload: unknown): Buffer | string {
  if (typeof payload === 'string' || Buffer.isBuffer(payload)) return payload;
  if (payload instanceof Uint8Array) return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  return Buffer.alloc(0);
}
