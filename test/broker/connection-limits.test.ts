/**
 * The broker's per-node and per-connection limits, each seen from a real socket: what a client
 * that hits one gets (a CONNACK code, or its connection closed), that live sessions are not
 * touched, and that each is counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectPolicy } from '../../broker/connect-gate.js';
import { createDeliveryAcks } from '../../broker/delivery-acks.js';
import { TestDevice } from '../support/device.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { connackCode, idleConnection, subscribeOverTcp } from '../support/raw-mqtt.js';
import { roomTopic } from '../../schema/index.js';

const counter = async (platform: TestPlatform, name: 'mqttDisconnects' | 'mqttConnectsRefused', reason: string) =>
  (await platform.metrics[name].get()).values.find((v) => v.labels['reason'] === reason)?.value ?? 0;

/** A member with a token, alone in a fresh room. */
async function member(platform: TestPlatform, name: string) {
  const userId = await platform.createUser(name);
  return { userId, token: await platform.tokenFor(userId, 'phone'), room: await platform.createRoom([userId]) };
}

describe('connect policy', () => {
  const policy = (now: () => number) => createConnectPolicy({ keepaliveLimitSeconds: 60, ratePerSecond: 2, burst: 3, now });

  it('refuses keepalive 0 and keepalives above the limit with CONNACK 2, without taking from the rate', () => {
    const decide = policy(() => 0).decide;
    expect([decide(0), decide(61)]).toEqual([
      { accept: false, returnCode: 2, reason: 'keepalive' },
      { accept: false, returnCode: 2, reason: 'keepalive' },
    ]);
    expect([decide(60), decide(1), decide(30)].every((v) => v.accept)).toBe(true);
  });

  it('answers CONNACK 3 beyond the burst and recovers at the sustained rate', () => {
    let nowMs = 0;
    const decide = policy(() => nowMs).decide;
    expect([1, 2, 3].map(() => decide(30).accept)).toEqual([true, true, true]);
    expect(decide(30)).toEqual({ accept: false, returnCode: 3, reason: 'connect_rate' });
    nowMs += 500; // 2 per second: one token back
    expect([decide(30).accept, decide(30).accept]).toEqual([true, false]);
  });
});

describe('delivery acks bound', () => {
  it('reports a connection once when it leaves more than the bound unacknowledged', () => {
    const reported: object[] = [];
    let nextId = 1;
    const acks = createDeliveryAcks<object>(
      { takePacketId: () => nextId++, tooManyUnacked: (client) => reported.push(client) },
      { maxUnackedPerClient: 2 },
    );
    const client = {};
    for (let seq = 1; seq <= 5; seq += 1) acks.track(client, {}, { roomId: 'r', seq });
    expect(reported).toEqual([client]);
  });
});

describe('limits on a running broker', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform(
      { database: 'pglite', brokerState: 'memory' },
      { MAX_UNACKED_DELIVERIES: '5', CONNECT_TIMEOUT_MS: '1500', MAX_PENDING_CONNECTS: '4', KEEPALIVE_LIMIT_SECONDS: '120' },
    );
  });
  afterAll(() => platform?.stop());

  it('refuses keepalive 0 and a keepalive above KEEPALIVE_LIMIT_SECONDS with CONNACK 2 (identifier rejected)', async () => {
    const { userId, token } = await member(platform, 'keepalive');
    const refusedBefore = await counter(platform, 'mqttConnectsRefused', '2');
    expect(await connackCode(platform.endpoints.mqtt, { userId, deviceId: 'phone', token, keepaliveSeconds: 0 })).toBe(2);
    expect(await connackCode(platform.endpoints.mqtt, { userId, deviceId: 'phone', token, keepaliveSeconds: 121 })).toBe(2);
    expect(await connackCode(platform.endpoints.mqtt, { userId, deviceId: 'phone', token, keepaliveSeconds: 120 })).toBe(0);
    await expect.poll(() => counter(platform, 'mqttConnectsRefused', '2')).toBe(refusedBefore + 2);
  });

  it('disconnects a connection that reads deliveries but leaves more than MAX_UNACKED_DELIVERIES without PUBACK', async () => {
    const { userId, token, room } = await member(platform, 'never-acks');
    const reader = await subscribeOverTcp(platform.endpoints.mqtt, { userId, deviceId: 'phone', token }, roomTopic(room.id));
    const before = await counter(platform, 'mqttDisconnects', 'unacked_deliveries');
    for (let i = 0; i < 6; i += 1) {
      const r = await platform.as(token, 'POST', `/v1/rooms/${room.id}/messages`, {
        clientMsgId: `unacked-${i}`,
        roomVersion: room.memberVersion,
        body: Buffer.from('hi').toString('base64'),
      });
      expect(r.status).toBe(201);
    }
    await reader.closed;
    await expect.poll(() => counter(platform, 'mqttDisconnects', 'unacked_deliveries')).toBe(before + 1);
  });

  it('closes a connection that sends no CONNECT within CONNECT_TIMEOUT_MS', async () => {
    const before = await counter(platform, 'mqttDisconnects', 'connect_timeout');
    const idle = await idleConnection(platform.endpoints.mqtt);
    await idle.closed;
    await expect.poll(() => counter(platform, 'mqttDisconnects', 'connect_timeout')).toBe(before + 1);
  });

  it('closes connections beyond MAX_PENDING_CONNECTS on arrival, on any listener, leaving live sessions alone', async () => {
    const { userId, token, room } = await member(platform, 'live');
    const live = await TestDevice.connect(platform.endpoints.mqtt, userId, 'phone', token);
    await live.joinRoom(room.id);
    const liveWs = await TestDevice.connect(platform.endpoints.ws, userId, 'laptop', await platform.tokenFor(userId, 'laptop'));
    const refusedBefore = await counter(platform, 'mqttConnectsRefused', 'pending_handshakes');
    const timedOutBefore = await counter(platform, 'mqttDisconnects', 'connect_timeout');
    // Six handshakes that never finish, four allowed: which two are closed on arrival depends on the order the listeners accept them.
    const urls = [...Array<string>(5).fill(platform.endpoints.mqtt), platform.endpoints.ws];
    const idle = await Promise.all(urls.map((url) => idleConnection(url)));
    await expect.poll(() => counter(platform, 'mqttConnectsRefused', 'pending_handshakes')).toBe(refusedBefore + 2);
    await live.send(room.id, 'while-pending', room.memberVersion, 'still here');
    await live.waitForAck('while-pending');
    // The other four reach their CONNECT timeout; then connections are accepted again.
    await Promise.all(idle.map((i) => i.closed));
    await expect.poll(() => counter(platform, 'mqttDisconnects', 'connect_timeout')).toBe(timedOutBefore + 4);
    expect(await counter(platform, 'mqttConnectsRefused', 'pending_handshakes')).toBe(refusedBefore + 2);
    // Sessions older than CONNECT_TIMEOUT_MS are not touched by it (a WebSocket's HTTP timeouts end at the upgrade).
    await liveWs.send(room.id, 'ws-after-timeouts', room.memberVersion, 'still here');
    await liveWs.waitForAck('ws-after-timeouts');
    const next = await TestDevice.connect(platform.endpoints.mqtt, userId, 'tablet', await platform.tokenFor(userId, 'tablet'));
    await Promise.all([live.close(), liveWs.close(), next.close()]);
  });
});

describe('connect rate', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    // A bucket of 3 that refills once in 1000 s: the fourth CONNECT of this file is refused.
    platform = await startTestPlatform(
      { database: 'pglite', brokerState: 'memory' },
      { CONNECT_RATE_PER_SECOND: '0.001', CONNECT_BURST: '3' },
    );
  });
  afterAll(() => platform?.stop());

  it('answers CONNACK 3 (server unavailable) beyond CONNECT_BURST, while live sessions keep working', async () => {
    const { userId, token, room } = await member(platform, 'rate');
    const live = await TestDevice.connect(platform.endpoints.mqtt, userId, 'phone', token);
    await live.joinRoom(room.id);
    const codes = [];
    for (const deviceId of ['a', 'b', 'c'])
      codes.push(await connackCode(platform.endpoints.mqtt, { userId, deviceId, token: await platform.tokenFor(userId, deviceId) }));
    expect(codes).toEqual([0, 0, 3]);
    await expect.poll(() => counter(platform, 'mqttConnectsRefused', '3')).toBe(1);
    await live.send(room.id, 'after-refusal', room.memberVersion, 'still here');
    await live.waitForAck('after-refusal');
    await live.close();
  });
});
