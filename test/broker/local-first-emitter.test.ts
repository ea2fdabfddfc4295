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
}

describe.skipIf(!usable)('local-first emitter on two nodes', () => {
  let redis: PrivateRedis;
  const nodes: Node[] = [];

  async function node(): Promise<Node> {
    const log = silentLogger();
    const publisher = createRedisConnection(redis.url, { log }, { role: 'publish', commandTimeoutMs: 1000 });
    const subscriber = createRedisConnection(redis.url, { log }, { role: 'subscribe', commandTimeoutMs: 1000 });
    await Promise.all([connectRedis(publisher, redis.url), connectRedis(subscriber, redis.url)]);
    const created: Node = { mq: undefined as unknown as LocalFirstEmitter, subscriber, dropped: 0 };
    created.mq = createLocalFirstEmitter(
      { publisher, subscriber, log, onForwardDropped: () => (created.dropped += 1) },
      { concurrency: 100 },
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
    await subscribe(b.mq, 'chat/room/+', onBWildcard);

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
