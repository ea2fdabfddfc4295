/**
 * The SDK behind a proxy that refuses WebSocket upgrades (as some corporate proxies and captive
 * portals do): it falls back to Server-Sent Events + HTTP POST on its own, sends (acked means
 * stored), receives, types, reads and sees presence as over MQTT, resumes after losing the
 * stream with nothing lost or repeated, and climbs back to MQTT once WebSockets get through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatClientOptions } from '@mqtt-chat/sdk';
import { startHttpProxy, type HttpProxy } from '../../mobile-sim/net/http-proxy.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { createTestClient, FAST, range, type TestClient } from './support/sdk-client.js';

let platform: TestPlatform;
const clients: TestClient[] = [];
const proxies: HttpProxy[] = [];

beforeAll(async () => {
  platform = await startTestPlatform({ database: 'pglite', brokerState: 'memory' }, { SSE_HEARTBEAT_MS: '500' });
});
afterAll(async () => {
  for (const c of clients) c.client.close();
  await Promise.all(proxies.map((p) => p.close()));
  await platform?.stop();
});

async function blockingProxy(): Promise<HttpProxy> {
  const proxy = await startHttpProxy({ target: platform.endpoints.api, blockWebSockets: true });
  proxies.push(proxy);
  return proxy;
}

async function client(userId: string, extra: Partial<ChatClientOptions>): Promise<TestClient> {
  const c = createTestClient({
    mqttUrl: `${platform.endpoints.api.replace('http', 'ws')}/mqtt`,
    apiUrl: platform.endpoints.api,
    userId,
    deviceId: 'laptop',
    token: await platform.tokenFor(userId, 'laptop'),
    ...FAST,
    mqttProbeIntervalMs: 1000,
    ...extra,
  });
  clients.push(c);
  return c;
}

/** Alice behind the blocking proxy (on the fallback once connected), bob on MQTT directly, in one room. */
async function scene() {
  const [aliceId, bobId] = [await platform.createUser('alice'), await platform.createUser('bob')];
  const room = await platform.createRoom([aliceId, bobId]);
  const proxy = await blockingProxy();
  const alice = await client(aliceId, { mqttUrl: `${proxy.url.replace('http', 'ws')}/mqtt`, apiUrl: proxy.url });
  const bob = await client(bobId, {});
  await Promise.all([alice.client.connect(), bob.client.connect()]);
  await Promise.all([alice.untilSubscribed(room.id), bob.untilSubscribed(room.id)]);
  return { aliceId, bobId, room: room.id, alice, bob, proxy };
}

const transportOf = (c: TestClient) => {
  const status = c.client.status();
  return status.state === 'connected' ? status.transport : undefined;
};

describe('the SSE fallback', () => {
  it('is taken after WebSocket attempts are refused, and carries sends, messages, typing, receipts and presence both ways', async () => {
    const { aliceId, bobId, room, alice, bob, proxy } = await scene();
    expect(transportOf(alice)).toBe('sse');
    expect(transportOf(bob)).toBe('mqtt');
    expect(proxy.stats().upgradesRefused).toBe(2); // sseFallbackAfterFailures
    expect(alice.statuses.filter((s) => s.state === 'connecting').map((s) => s.code)).toEqual([
      'connect',
      'network_error',
      'network_error',
    ]);

    const sending = alice.client.send(room, 'from the fallback');
    expect(sending.state()).toEqual({ state: 'pending' });
    expect((await sending).seq).toBe(1);
    await bob.client.send(room, 'to the fallback');
    await Promise.all([alice, bob].map((c) => c.until(() => c.client.lastSeq(room) === 2, 'both messages')));
    expect(alice.texts(room)).toEqual(['from the fallback', 'to the fallback']);
    expect(bob.delivered).toEqual(alice.delivered);

    alice.client.typing(room).keystroke();
    await bob.until(() => (bob.events.typing ?? []).some((t) => t.userIds.includes(aliceId)), "alice's typing");
    bob.client.typing(room).keystroke();
    await alice.until(() => (alice.events.typing ?? []).some((t) => t.userIds.includes(bobId)), "bob's typing");
    alice.client.markRead(room);
    await bob.until(() => (bob.events.receipt ?? []).some((r) => r.userId === aliceId && r.readSeq === 2), "alice's receipt");
    bob.client.markRead(room);
    await alice.until(() => (alice.events.receipt ?? []).some((r) => r.userId === bobId && r.readSeq === 2), "bob's receipt");

    expect(await bob.client.watchPresence(room)).toEqual([{ userId: aliceId, online: true, lastSeenMs: expect.any(Number) }]);
    expect((await alice.client.watchPresence(room))[0]).toMatchObject({ userId: bobId, online: true });
    alice.client.close();
    await bob.until(() => bob.client.presence(room)[0]?.online === false, 'alice offline after closing');
  });

  it('resumes after losing the stream, with what was sent meanwhile delivered once and in order, and its own unanswered sends acked', async () => {
    const { room, alice, bob, proxy } = await scene();
    await alice.client.send(room, 'before');
    await bob.until(() => bob.client.lastSeq(room) === 1, 'the first message');
    await proxy.goDown();
    await alice.untilStatus((s) => s.state === 'connecting', 'losing the stream');
    for (let i = 1; i <= 5; i++) await bob.client.send(room, `during ${i}`);
    const offlineSend = alice.client.send(room, 'sent while away');
    await proxy.comeBack();
    expect((await offlineSend).seq).toBe(7);
    await alice.until(() => alice.client.lastSeq(room) === 7, 'everything sent meanwhile');
    await bob.until(() => bob.client.lastSeq(room) === 7, "alice's message");
    expect(alice.seqs(room)).toEqual(range(1, 7));
    expect(bob.seqs(room)).toEqual(range(1, 7));
    expect(transportOf(alice)).toBe('sse');
    expect(alice.client.stats().malformed).toBe(0);
  });

  it('climbs back to MQTT when WebSockets get through again, without losing or repeating a message', async () => {
    const { room, alice, bob, proxy } = await scene();
    await alice.client.send(room, 'on the fallback');
    proxy.blockWebSockets(false);
    await alice.untilStatus((s) => s.state === 'connected' && s.transport === 'mqtt', 'the climb back to MQTT');
    expect(
      alice.statuses.filter((s) => s.state === 'connected').map((s) => `${s.code}:${s.state === 'connected' ? s.transport : ''}`),
    ).toEqual(['connected:sse', 'reconnected:mqtt']);
    await bob.client.send(room, 'after the climb');
    await alice.client.send(room, 'from MQTT');
    await Promise.all([alice, bob].map((c) => c.until(() => c.client.lastSeq(room) === 3, 'three messages')));
    expect(alice.seqs(room)).toEqual([1, 2, 3]);
    expect(bob.seqs(room)).toEqual([1, 2, 3]);
    expect(proxy.stats().upgradesRelayed).toBeGreaterThanOrEqual(1);
  });

  it('stays on MQTT with transport: mqtt, and goes straight to SSE with transport: sse', async () => {
    const aliceId = await platform.createUser('alice');
    const proxy = await blockingProxy();
    const viaProxy = { mqttUrl: `${proxy.url.replace('http', 'ws')}/mqtt`, apiUrl: proxy.url };
    const stubborn = await client(aliceId, { ...viaProxy, transport: 'mqtt', deviceId: 'a' });
    void stubborn.client.connect();
    await stubborn.untilStatus((s) => s.state === 'connecting' && s.attempt >= 4, 'four refused attempts');
    expect(proxy.stats().requests).toBe(0);
    stubborn.client.close();
    const direct = await client(aliceId, { ...viaProxy, transport: 'sse', deviceId: 'b' });
    await direct.client.connect();
    expect(transportOf(direct)).toBe('sse');
  });
});
