/**
 * Aedes's message bus (its `mq`) for several broker nodes on one Redis, local first: a publish
 * reaches this node's subscribers at once, in process, and is forwarded to the other nodes
 * through Redis pub/sub; what comes back from Redis is delivered here only if another node sent
 * it (this node's own echoes are dropped).
 *
 * mqemitter-redis, used before, sends every publish, local ones included, through Redis and
 * delivers it when it comes back: a Redis outage stopped all delivery on every node, and every
 * local delivery paid a Redis round trip. Here a lost Redis costs only cross-node delivery:
 * a forward while Redis is down is dropped (counted), devices on other nodes fill the gap by
 * seq, and subscriptions are re-established when Redis is back.
 *
 * The wire format is mqemitter-redis's (msgpack of `{id, msg}` on a channel named by the topic),
 * so nodes of both kinds can share one Redis during a rolling upgrade.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import mqemitter from 'mqemitter';
import type { Logger } from '../lib/log.js';
import { closeRedis, isRedisReady } from '../lib/redis-connection.js';

const require = createRequire(import.meta.url);
// CommonJS without types; these two functions are all that is used.
const msgpack = require('msgpack-lite') as { encode(value: unknown): Buffer; decode(buffer: Buffer): unknown };

export type Packet = mqemitter.Message;
type Listener = (packet: Packet, done: () => void) => void;

/** The MQEmitter surface Aedes uses. */
export interface LocalFirstEmitter {
  on(topic: string, listener: Listener, done?: () => void): this;
  removeListener(topic: string, listener: Listener, done?: () => void): void;
  emit(packet: Packet, done?: (error?: Error) => void): void;
  close(done: () => void): void;
}

export interface LocalFirstEmitterDeps {
  /** Forwards publishes to the other nodes. */
  publisher: Redis;
  /** Receives the other nodes' publishes (a connection in subscriber mode). */
  subscriber: Redis;
  log: Logger;
  /** A publish that could not be forwarded to the other nodes (Redis down). */
  onForwardDropped?: () => void;
  /** A publish arrived from another node (counted per topic kind: a node without a room's subscribers sees none of its messages). */
  onReceived?: (topic: string) => void;
}

export interface LocalFirstEmitterOptions {
  /** Deliveries in flight at once (Aedes's `concurrency`). */
  concurrency: number;
  /**
   * Filters served from what reaches this node anyway, never subscribed in Redis. The broker's
   * own watch on every room's Messages (room-feed.ts, for last seqs) is one: subscribed across
   * nodes it would pull every room's traffic to every node; local, it sees the publishes made
   * here and those the node's devices' own subscriptions bring in, which are the rooms it serves.
   */
  localOnlyFilters?: readonly string[];
}

/** Ids of the last publishes received: one publish arrives once per Redis subscription it matches. */
const RECENT_IDS = 256;

export function createLocalFirstEmitter(deps: LocalFirstEmitterDeps, options: LocalFirstEmitterOptions): LocalFirstEmitter {
  const { publisher, subscriber } = deps;
  const log = deps.log.child({ module: 'local-first-emitter' });
  const local = mqemitter({ concurrency: options.concurrency, matchEmptyLevels: true });
  const ownIdPrefix = `${randomUUID()}:`;
  let sent = 0;
  const recentIds: string[] = [];
  /** Redis subscriptions wanted, by key (`c:` channel or `p:` pattern), with how many MQTT filters need each. */
  const wanted = new Map<string, number>();
  const localOnly = new Set(options.localOnlyFilters);
  let closed = false;

  function receive(buffer: Buffer): void {
    let id: unknown;
    let msg: unknown;
    try {
      ({ id, msg } = msgpack.decode(buffer) as { id?: unknown; msg?: unknown });
    } catch {
      return log.debug({ bytes: buffer.length }, 'undecodable message from redis dropped');
    }
    const isPacket = typeof msg === 'object' && msg !== null && typeof (msg as { topic?: unknown }).topic === 'string';
    if (typeof id !== 'string' || !isPacket || id.startsWith(ownIdPrefix) || recentIds.includes(id)) return;
    recentIds.push(id);
    if (recentIds.length > RECENT_IDS) recentIds.shift();
    deps.onReceived?.((msg as Packet).topic);
    local.emit(msg as Packet);
  }
  subscriber.on('messageBuffer', (_channel: Buffer, message: Buffer) => receive(message));
  subscriber.on('pmessageBuffer', (_pattern: Buffer, _channel: Buffer, message: Buffer) => receive(message));
  // After every (re)connection: subscribe to everything wanted now, including what was asked for while Redis was down.
  subscriber.on('ready', () => {
    const keys = [...wanted.keys()];
    const channels = keys.filter((k) => k.startsWith('c:')).map((k) => k.slice(2));
    const patterns = keys.filter((k) => k.startsWith('p:')).map((k) => k.slice(2));
    if (channels.length > 0) settle(subscriber.subscribe(...channels), 'subscribe');
    if (patterns.length > 0) settle(subscriber.psubscribe(...patterns), 'psubscribe');
  });

  function settle(command: Promise<unknown>, what: string, done?: () => void): void {
    command.then(
      () => done?.(),
      (error: unknown) => {
        log.debug({ err: (error as Error).message }, `redis ${what} failed; redone when redis is back`);
        done?.();
      },
    );
  }

  /** Subscribes in Redis for `topic` if no other filter already did; `done` once that is settled (at once while Redis is down). */
  function want(topic: string, done: () => void): void {
    const key = redisKey(topic);
    const count = wanted.get(key) ?? 0;
    wanted.set(key, count + 1);
    if (count > 0 || !isRedisReady(subscriber)) return void setImmediate(done);
    const name = key.slice(2);
    settle(key.startsWith('c:') ? subscriber.subscribe(name) : subscriber.psubscribe(name), 'subscribe', done);
  }

  function unwant(topic: string): void {
    const key = redisKey(topic);
    const count = (wanted.get(key) ?? 0) - 1;
    if (count > 0) return void wanted.set(key, count);
    wanted.delete(key);
    if (!isRedisReady(subscriber)) return;
    const name = key.slice(2);
    settle(key.startsWith('c:') ? subscriber.unsubscribe(name) : subscriber.punsubscribe(name), 'unsubscribe');
  }

  function forward(packet: Packet): void {
    if (!isRedisReady(publisher)) return deps.onForwardDropped?.();
    sent += 1;
    const encoded = msgpack.encode({ id: `${ownIdPrefix}${sent}`, msg: packet });
    publisher.publish(packet.topic, encoded).then(
      () => undefined,
      () => deps.onForwardDropped?.(),
    );
  }

  const emitter: LocalFirstEmitter = {
    on(topic, listener, done) {
      local.on(topic, listener);
      if (localOnly.has(topic)) setImmediate(done ?? (() => undefined));
      else want(topic, done ?? (() => undefined));
      return emitter;
    },
    removeListener(topic, listener, done) {
      local.removeListener(topic, listener, done);
      if (!localOnly.has(topic)) unwant(topic);
    },
    emit(packet, done) {
      if (closed) return done?.(new Error('the broker message bus is closed'));
      local.emit(packet, done);
      forward(packet);
    },
    close(done) {
      closed = true;
      local.close(() => {
        void Promise.all([closeRedis(publisher), closeRedis(subscriber)]).then(() => done());
      });
    },
  };
  return emitter;
}

/**
 * The Redis subscription that carries an MQTT filter: the topic itself as a channel, or for a
 * filter with wildcards a glob pattern (`+` becomes `*`; a final `#` becomes `*` glued to the
 * level before it, since `a/#` matches `a` too). A glob may match more than the filter: the
 * local matcher then delivers exactly. Glob metacharacters of the topic are escaped.
 */
export function redisKey(topic: string): string {
  const levels = topic.split('/');
  const isMultiLevel = levels.at(-1) === '#';
  if (!isMultiLevel && !levels.includes('+')) return `c:${topic}`;
  const parts = (isMultiLevel ? levels.slice(0, -1) : levels).map((level) => (level === '+' ? '*' : level.replace(/[*?[\]\\]/g, '\\$&')));
  return `p:${parts.join('/')}${isMultiLevel ? '*' : ''}`;
}
