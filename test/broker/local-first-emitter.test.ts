/**
 * The broker's message bus across nodes: local deliveries never wait for Redis, each subscriber
 * gets a publish once (no echo of its own node, no double delivery through two matching Redis
 * subscriptions), and a Redis killed and restarted costs cross-node delivery only while it is
 * gone, including for subscriptions made meanwhile. On a private redis-server.
 */
import { once } from 'node:events';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalFirstEmitter, redisKey, type LocalFirstEmitter, type Packet } from '../../broker/local-first-emitter.js';
import { silentLogger } from '../../lib/log.js';
import { connectRedis, createRedisConnection } from '../../lib/redis-connection.js';
import { usableOrSkip } from '../support/backends.js';
import { eventually } from '../support/outage.js';
import { privateRedisProblem, startPrivateRedis, type PrivateRedis } from '../support/private-redis.js';

describe('redisKey', () => {
  it('carries a topic on its channel and a filter on a glob that matches at least what the filter does', () => {
    expect(redisKey('chat/room/r1')).toBe('c:chat/room/r1');
    expect(redisKey('chat/room/+')).toBe('p:chat/room/*');
    expect(redisKey('chat/room/+/typing')).toBe('p:chat/room/*/typing');
    expect(redisKey('chat/room/r1/#')).toBe('p:chat/room/r1*'); // `#` matches the parent level too
    expect(redisKey('#')).toBe('p:*');
    expect(redisKey('a[1]/?/+')).toBe('p:a\\[1\\]/\\?/*');
  });
});

const usable = usableOrSkip('redis', 'private Redis', await privateRedisProblem());

interface Node {
  mq: LocalFirstEmitter;
  subscriber: Redis;
  dropped: number;
  /** Publishes that arrived from Redis, by topic. */
  received: string[];
}

describe.skipIf(!usable)('local-first emitter on two nodes', () => {
  let redis: PrivateRedis;
  const nodes: Node[] = [];

  async function node(): Promise<Node> {
    const log = silentLogger();
    const publisher = createRedisConnection(redis.url, { log }, { role: 'publish', commandTimeoutMs: 1000 });
    const subscriber = createRedisConnection(redis.url, { log }, { role: 'subscribe', commandTimeoutMs: 1000 });
    await Promise.all([connectRedis(publisher, redis.url), connectRedis(subscriber, redis.url)]);
    const created: Node = { mq: undefined as unknown as LocalFirstEmitter, subscriber, dropped: 0, received: [] };
    created.mq = createLocalFirstEmitter(
      { publisher, subscriber, log, onForwardDropped: () => (created.dropped += 1), onReceived: (topic) => created.received.push(topic) },
      { concurrency: 100, localOnlyFilters: ['chat/room/+'] },
    );
    nodes.push(created);
    return created;
  }

  const subscribe = (mq: LocalFirstEmitter, topic: string, seen: Packet[]) =>
    new Promise<void>((resolve) =>
      mq.on(
        topic,
        (packet, done) => {
          seen.push(packet);
          done();
        },
        resolve,
      ),
    );
  const emit = (mq: LocalFirstEmitter, topic: string, text: string) =>
    new Promise<void>((resolve, reject) => mq.emit({ topic, payload: Buffer.from(text) }, (e) => (e ? reject(e) : resolve())));
  const texts = (seen: Packet[]) => seen.map((p) => Buffer.from(p['payload'] as Uint8Array).toString());

  beforeAll(async () => {
    redis = await startPrivateRedis();
  });
  afterAll(async () => {
    await Promise.all(nodes.map(({ mq }) => new Promise<void>((resolve) => mq.close(resolve))));
    await redis?.destroy();
  });

  it('delivers locally at once and across nodes once, without echoes or doubles', async () => {
    const [a, b] = [await node(), await node()];
    const onA: Packet[] = [];
    const onB: Packet[] = [];
    const onBWildcard: Packet[] = [];
    await subscribe(a.mq, 'chat/room/r1', onA);
    await subscribe(b.mq, 'chat/room/r1', onB);
    await subscribe(b.mq, 'chat/room/+/typing', onBWildcard);
    await subscribe(b.mq, 'chat/room/r1/#', onBWildcard);

    await emit(a.mq, 'chat/room/r1', 'one');
    expect(texts(onA)).toEqual(['one']); // delivered before emit's callback: no Redis round trip
    await eventually(() => onB.length > 0 && onBWildcard.length > 0, 'delivery on node b', 5000);
    await emit(a.mq, 'chat/room/r1', 'two'); // a later publish, so a late echo or double of 'one' would have arrived first
    await eventually(() => onB.length >= 2 && onBWildcard.length >= 2, 'second delivery on node b', 5000);
    expect([texts(onA), texts(onB), texts(onBWildcard)]).toEqual([
      ['one', 'two'],
      ['one', 'two'],
      ['one', 'two'],
    ]);
  });

  it("sends a room's publishes only to the nodes subscribed to it: a node without its subscribers receives none", async () => {
    const [a, b] = [await node(), await node()];
    const watchOnB: Packet[] = [];
    const onA: Packet[] = [];
    const onB: Packet[] = [];
    // The broker's watch on every room (local only), on both nodes; node a serves room r5, node b room r6.
    await subscribe(a.mq, 'chat/room/+', []);
    await subscribe(b.mq, 'chat/room/+', watchOnB);
    await subscribe(a.mq, 'chat/room/r5', onA);
    await subscribe(b.mq, 'chat/room/r6', onB);
    const control = createRedisConnection(redis.url, { log: silentLogger() }, { role: 'control', commandTimeoutMs: 1000 });
    await connectRedis(control, redis.url);
    const numsub = async (channel: string) => (await control.pubsub('NUMSUB', channel))[1];
    expect(await numsub('chat/room/r5')).toBe(1);

    for (let i = 0; i < 20; i += 1) await emit(a.mq, 'chat/room/r5', `r5 #${i}`);
    await emit(a.mq, 'chat/room/r6', 'marker'); // after the twenty on the same connection: had any been sent to b, it came first
    await eventually(() => onB.length === 1, 'the marker on node b', 5000);
    expect(texts(onA)).toHaveLength(20);
    expect(b.received).toEqual(['chat/room/r6']);
    expect(texts(watchOnB)).toEqual(['marker']); // the watch sees what reaches the node, nothing more

    // A subscriber on b makes b receive r5; its leaving stops it again.
    const lateOnB: Packet[] = [];
    const listener = (packet: Packet, done: () => void) => {
      lateOnB.push(packet);
      done();
    };
    await new Promise<void>((resolve) => b.mq.on('chat/room/r5', listener, resolve));
    await emit(a.mq, 'chat/room/r5', 'now b listens');
    await eventually(() => lateOnB.length === 1, 'r5 on node b', 5000);
    await new Promise<void>((resolve) => b.mq.removeListener('chat/room/r5', listener, resolve));
    await eventually(async () => (await numsub('chat/room/r5')) === 1, 'node b unsubscribed', 5000);
    await emit(a.mq, 'chat/room/r5', 'b left');
    await emit(a.mq, 'chat/room/r6', 'second marker');
    await eventually(() => onB.length === 2, 'the second marker on node b', 5000);
    expect(b.received.filter((topic) => topic === 'chat/room/r5')).toHaveLength(1);
    control.disconnect();
  });

  it('keeps delivering locally while Redis is down, and across nodes again once it is back, for subscriptions made meanwhile', async () => {
    const [a, b] = [await node(), await node()];
    const onA: Packet[] = [];
    const onB: Packet[] = [];
    await subscribe(a.mq, 'chat/room/r2', onA);

    await redis.stop();
    await Promise.all([a.subscriber, b.subscriber].filter((s) => s.status === 'ready').map((s) => once(s, 'close')));
    await emit(a.mq, 'chat/room/r2', 'while down');
    expect(texts(onA)).toEqual(['while down']);
    expect(a.dropped).toBe(1);
    await subscribe(b.mq, 'chat/room/r2', onB); // answers at once, although Redis cannot be told yet

    await redis.start();
    await once(b.subscriber, 'ready');
    // Resubscribing follows 'ready' by a round trip: publish until node b hears one.
    await eventually(
      async () => {
        await emit(a.mq, 'chat/room/r2', 'after');
        return onB.length > 0;
      },
      'cross-node delivery after the restart',
      5000,
    );
    expect(texts(onB)[0]).toBe('after');
    expect(texts(onA).filter((t) => t === 'while down')).toHaveLength(1);
  });
});
