/**
 * The SDK against the whole platform in this process (real broker, bridge, API, PGlite): what an
 * app sees when it chats, loses its network, races a membership change, holds a bad token, or
 * receives garbage. Restarts of the platform itself are in `restart.test.ts`.
 */
import type { AuthorizeForwardHandler } from 'aedes';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChatClientOptions, DEFAULT_HEARTBEAT_INITIAL_INTERVAL_MS, type HeartbeatPolicy } from '@mqtt-chat/sdk';
import {
  decodeDeviceStatus,
  decodeMessage,
  devicePresenceTopic,
  deviceClientId,
  encodeInboxItem,
  encodeMessage,
  encodeTyping,
  inboxTopic,
  roomEventTopic,
  roomTopic,
  TypingState,
  typingTopic,
} from '@mqtt-chat/protocol';
import { createRoom, truncateHistory } from '../../store/index.js';
import { TestDevice, type Observation } from '../support/device.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { createTestClient, FAST, range, type TestClient } from './support/sdk-client.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

let platform: TestPlatform;
const clients: TestClient[] = [];
const proxies: TcpProxy[] = [];
const watchers: TestDevice[] = [];

let originalForward: AuthorizeForwardHandler;

beforeAll(async () => {
  platform = await startTestPlatform({ database: 'pglite', brokerState: 'memory' });
  originalForward = platform.broker.aedes.authorizeForward;
});
afterEach(() => {
  platform.broker.aedes.authorizeForward = originalForward;
});
afterAll(async () => {
  for (const c of clients) c.client.close();
  await Promise.all([...proxies.map((p) => p.close()), ...watchers.map((w) => w.close())]);
  await platform?.stop();
});

/** Drops deliveries to `userId`'s phone that `drop` picks, as a lossy network would; everything else goes through the platform's guard. */
function dropDeliveries(userId: string, drop: (topic: string, payload: Buffer) => boolean): void {
  const aedes = platform.broker.aedes;
  aedes.authorizeForward = (client, packet) =>
    client?.id === deviceClientId(userId, 'phone') && drop(packet.topic, packet.payload as Buffer)
      ? null
      : originalForward.call(aedes, client, packet);
}

async function user(name: string): Promise<string> {
  return platform.createUser(name);
}

async function connected(userId: string, extra: Partial<ChatClientOptions> = {}): Promise<TestClient> {
  const token = await platform.tokenFor(userId, 'phone');
  const c = createTestClient({
    mqttUrl: platform.endpoints.mqtt,
    apiUrl: platform.endpoints.api,
    userId,
    deviceId: 'phone',
    token,
    ...FAST,
    ...extra,
  });
  clients.push(c);
  await c.client.connect();
  return c;
}

async function proxy(): Promise<TcpProxy> {
  const p = await startTcpProxy(platform.endpoints.mqtt);
  proxies.push(p);
  return p;
}

/** Alice and bob in one room, both connected and subscribed to it (found through GET /v1/rooms). */
async function pair(bobOptions: Partial<ChatClientOptions> = {}) {
  const [aliceId, bobId] = [await user('alice'), await user('bob')];
  const room = await platform.createRoom([aliceId, bobId]);
  const alice = await connected(aliceId);
  const bob = await connected(bobId, bobOptions);
  await Promise.all([alice.untilSubscribed(room.id), bob.untilSubscribed(room.id)]);
  return { aliceId, bobId, room, alice, bob };
}

describe('SDK chat client against the platform', () => {
  it('lets two clients, one on TCP and one on WebSocket, exchange messages that both see once, in the same seq order', async () => {
    const { room, alice, bob } = await pair({ mqttUrl: platform.endpoints.ws });
    const acks = await Promise.all([
      alice.client.send(room.id, 'hello bob'),
      bob.client.send(room.id, 'hi alice'),
      alice.client.send(room.id, 'how are you'),
    ]);
    expect(acks.map((a) => a.seq).sort()).toEqual([1, 2, 3]);
    await Promise.all([alice, bob].map((c) => c.until(() => c.client.lastSeq(room.id) === 3, 'three messages')));
    expect(alice.seqs(room.id)).toEqual([1, 2, 3]);
    expect(bob.delivered).toEqual(alice.delivered);
    const bySeq = new Map(alice.delivered.map((m) => [m.clientMsgId, m.seq]));
    expect(acks.map((a) => bySeq.get(a.clientMsgId))).toEqual(acks.map((a) => a.seq));
  });

  it('follows a room it is added to while connected, from the RoomEvent in its inbox, and catches up on its history', async () => {
    const { room, alice } = await pair();
    await alice.client.send(room.id, 'before carol');
    const carolId = await user('carol');
    const carol = await connected(carolId);
    await platform.admin('POST', `/v1/rooms/${room.id}/members`, { userId: carolId });
    await carol.until(() => carol.client.lastSeq(room.id) === 1, 'the history of the room she joined');
    await alice.client.send(room.id, 'welcome carol');
    await carol.until(() => carol.client.lastSeq(room.id) === 2, 'the live message');
    expect(carol.texts(room.id)).toEqual(['before carol', 'welcome carol']);
  });

  it('follows every room of a user in more rooms than one GET /v1/rooms page (the API pages at 100 by default)', async () => {
    const daveId = await user('dave');
    const roomIds: string[] = [];
    for (let i = 0; i < 101; i += 1)
      roomIds.push((await createRoom(platform.db, { kind: 'group', name: `r${i}`, memberIds: [daveId] })).id);
    const dave = await connected(daveId, { roomsPageLimit: 40 });
    await Promise.all(roomIds.map((roomId) => dave.untilSubscribed(roomId)));
    expect(
      dave.client
        .rooms()
        .map((room) => room.id)
        .sort(),
    ).toEqual(roomIds.sort());
  });

  it('queues a send issued while offline and delivers it once the connection is back', async () => {
    const net = await proxy();
    const { room, alice, bob } = await pair({ mqttUrl: net.url });
    net.cut();
    await bob.untilStatus((s) => s.state === 'connecting', 'losing the connection');
    const { seq } = await bob.client.send(room.id, 'sent in a tunnel');
    expect(seq).toBe(1);
    await alice.until(() => alice.client.lastSeq(room.id) === 1, 'the message sent offline');
    expect(alice.texts(room.id)).toEqual(['sent in a tunnel']);
    await bob.until(() => bob.client.lastSeq(room.id) === 1, 'its own message');
    expect(bob.statuses.map((s) => s.state)).toEqual(['connecting', 'connected', 'connecting', 'connected']);
  });

  it('fetches over REST what was published while its connection was cut, and delivers everything once, in order', async () => {
    const net = await proxy();
    const { room, alice, bob } = await pair({ mqttUrl: net.url });
    await alice.client.send(room.id, 'one');
    await bob.until(() => bob.client.lastSeq(room.id) === 1, 'the first message');
    net.cut();
    await bob.untilStatus((s) => s.state === 'connecting', 'losing the connection');
    await alice.client.send(room.id, 'two');
    await alice.client.send(room.id, 'three');
    await bob.until(() => bob.client.lastSeq(room.id) === 3, 'the missed messages');
    await alice.client.send(room.id, 'four');
    await bob.until(() => bob.client.lastSeq(room.id) === 4, 'the live message after');
    expect(bob.seqs(room.id)).toEqual([1, 2, 3, 4]);
    expect(bob.texts(room.id)).toEqual(['one', 'two', 'three', 'four']);
  });

  it('holds a message that arrives after a gap, fetches the gap over REST after gapWaitMs, and delivers in seq order', async () => {
    const [aliceId, bobId] = [await user('alice'), await user('bob')];
    const room = await platform.createRoom([aliceId, bobId]);
    const alice = await connected(aliceId);
    await alice.client.send(room.id, 'one');
    const bob = await connected(bobId);
    // Seq 1 comes in bob's catch-up page; its fetch is over once it is delivered.
    await bob.until(() => bob.client.lastSeq(room.id) === 1, 'the first message, over REST');
    dropDeliveries(bobId, (topic, payload) => topic === roomTopic(room.id) && decodeMessage(payload).seq === 2);
    await alice.client.send(room.id, 'two (lost on the way to bob)');
    await alice.client.send(room.id, 'three');
    await bob.until(() => bob.client.lastSeq(room.id) === 3, 'the gap filled');
    expect(bob.seqs(room.id)).toEqual([1, 2, 3]);
    expect(bob.client.stats()).toMatchObject({ gapFetches: 1, duplicates: 1 }); // seq 3 came live and again in the gap page
  });

  it('announces history lost to retention (410) instead of skipping it silently, and delivers what is left', async () => {
    const [aliceId, bobId] = [await user('alice'), await user('bob')];
    const room = await platform.createRoom([aliceId, bobId]);
    const alice = await connected(aliceId);
    for (const i of range(1, 4)) await alice.client.send(room.id, `m${i}`);
    await truncateHistory(platform.db, room.id, 2);
    const bob = await connected(bobId); // a new device: it wants the room from seq 1
    await bob.until(() => bob.client.lastSeq(room.id) === 4, 'what retention kept');
    expect(bob.events.historyTruncated).toEqual([{ roomId: room.id, afterSeq: 0, historyFloor: 2 }]);
    expect(bob.texts(room.id)).toEqual(['m3', 'm4']);
  });

  it('resyncs a room whose history was reset (a new epoch): announces it and delivers the new history from seq 1', async () => {
    const { room, alice, bob } = await pair();
    await alice.client.send(room.id, 'old 1');
    await alice.client.send(room.id, 'old 2');
    await bob.until(() => bob.client.lastSeq(room.id) === 2, 'the old history');
    // What a restore from an empty backup does to a room: another epoch, and seqs from 1 again.
    await platform.db.query('DELETE FROM messages WHERE room_id = $1', [room.id]);
    await platform.db.query('UPDATE rooms SET epoch = CASE WHEN epoch = 1 THEN 2 ELSE 1 END, last_seq = 0 WHERE id = $1', [room.id]);
    expect(await alice.client.send(room.id, 'new 1')).toMatchObject({ seq: 1 });
    await bob.until(() => (bob.events.epochChanged ?? []).length === 1 && bob.client.lastSeq(room.id) === 1, 'the resync');
    const [oldEpoch, newEpoch] = [bob.delivered[0]!.epoch, bob.delivered[2]!.epoch];
    expect(bob.events.epochChanged).toEqual([{ roomId: room.id, epoch: newEpoch }]);
    expect(bob.delivered.map((m) => [m.epoch, m.seq, new TextDecoder().decode(m.body)])).toEqual([
      [oldEpoch, 1, 'old 1'],
      [oldEpoch, 2, 'old 2'],
      [newEpoch, 1, 'new 1'],
    ]);
    expect(newEpoch).not.toBe(oldEpoch);
  });

  it('answers Nack STALE_ROOM_VERSION by refreshing the room and resending under the same clientMsgId', async () => {
    const { room, alice, aliceId } = await pair();
    // Alice misses the membership RoomEvent, so her next send carries the version from before it.
    dropDeliveries(aliceId, (topic) => topic === roomEventTopic(room.id));
    const added = await platform.admin('POST', `/v1/rooms/${room.id}/members`, { userId: await user('carol') });
    expect(added.json.memberVersion).toBe(room.memberVersion + 1);
    const { seq, clientMsgId } = await alice.client.send(room.id, 'sent with an old version');
    expect(alice.client.stats().staleRefreshes).toBe(1);
    const history = await platform.admin('GET', `/v1/rooms/${room.id}/messages?after=0`);
    expect(history.json.messages.map((m: { seq: number; clientMsgId: string }) => [m.seq, m.clientMsgId])).toEqual([[seq, clientMsgId]]);
  });

  it('resends an unacknowledged send under the same clientMsgId until the Ack gets through, and it is stored once', async () => {
    const { room, alice, aliceId } = await pair();
    let acksLost = 0;
    // The first two Acks to alice vanish on the way: to her, the platform never answers.
    dropDeliveries(aliceId, (topic) => topic === inboxTopic(aliceId) && ++acksLost <= 2);
    const { seq, clientMsgId } = await alice.client.send(room.id, 'are you there?');
    expect(acksLost).toBe(3); // two lost, the third let through
    expect(alice.client.stats().resends).toBe(2);
    const history = await platform.admin('GET', `/v1/rooms/${room.id}/messages?after=0`);
    expect(history.json.messages.map((m: { seq: number; clientMsgId: string }) => [m.seq, m.clientMsgId])).toEqual([[seq, clientMsgId]]);
  });

  it('rejects a send refused for good with a typed error carrying the Nack', async () => {
    const { room } = await pair();
    const outsider = await connected(await user('outsider'));
    await expect(outsider.client.send(room.id, 'let me in')).rejects.toMatchObject({
      code: 'ERR_SDK_SEND_REJECTED',
      nack: { reason: 3 }, // NACK_REASON_NOT_MEMBER
    });
  });

  it('goes to a fatal unauthorized status on a bad token, without retrying, and connects once given a good one', async () => {
    const userId = await user('dana');
    let token = 'not-a-jwt';
    const dana = createTestClient({
      mqttUrl: platform.endpoints.mqtt,
      apiUrl: platform.endpoints.api,
      userId,
      deviceId: 'phone',
      getToken: () => token,
      ...FAST,
    });
    clients.push(dana);
    await expect(dana.client.connect()).rejects.toMatchObject({
      code: 'ERR_SDK_UNAUTHORIZED',
      message: expect.stringContaining('CONNACK 5'),
    });
    expect(dana.client.status()).toMatchObject({
      state: 'disconnected',
      code: 'unauthorized',
      reason: expect.stringContaining('CONNACK 5'),
    });
    expect(dana.statuses.map((s) => s.state)).toEqual(['connecting', 'disconnected']);
    token = await platform.tokenFor(userId, 'phone');
    await dana.client.connect(); // resolves once connected with the refreshed token
    expect(dana.client.status()).toMatchObject({ state: 'connected', code: 'connected' });
  });

  it('drops and counts garbage on its room, typing and inbox topics, and keeps delivering', async () => {
    const { room, alice, bob, bobId } = await pair();
    const realMessage = { roomId: 'another-room', seq: 1, epoch: 1, senderId: 'x', senderDevice: 'x', clientMsgId: 'x', sentAtMs: 0 };
    const garbage: [string, Uint8Array][] = [
      [roomTopic(room.id), new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff])],
      [roomTopic(room.id), new Uint8Array()],
      [roomTopic(room.id), encodeMessage({ ...realMessage, body: new Uint8Array(), contentType: '' })],
      [typingTopic(room.id), encodeTyping({ state: TypingState.TYPING_STATE_START, userId: '' })],
      [inboxTopic(bobId), new Uint8Array([0x0a, 0xff])],
      [inboxTopic(bobId), encodeInboxItem({ ack: { roomId: room.id, clientMsgId: 'never-sent', seq: 0, duplicate: false } })],
    ];
    // Only the platform may publish on these topics; the test publishes as the platform.
    for (const [topic, payload] of garbage) await platform.broker.publish(topic, payload, { qos: 1 });
    // Published after the garbage on the same broker, so it reaches bob after all of it.
    await alice.client.send(room.id, 'still here');
    await bob.until(() => bob.client.lastSeq(room.id) === 1, 'the real message after the garbage');
    expect(bob.client.stats().malformed).toBe(garbage.length);
    expect(bob.texts(room.id)).toEqual(['still here']);
    expect(bob.client.status()).toMatchObject({ state: 'connected' });
  });

  it('shows typing and read receipts between members', async () => {
    const { room, alice, bob, aliceId, bobId } = await pair();
    alice.client.typing(room.id).keystroke();
    await bob.until(() => (bob.events.typing ?? []).some((t) => t.roomId === room.id && t.userIds.includes(aliceId)), 'alice typing');
    const { seq } = await alice.client.send(room.id, 'typed it'); // sending stops typing
    await bob.until(() => bob.events.typing?.at(-1)?.userIds.length === 0, 'alice stopped typing');
    bob.client.markRead(room.id, seq);
    await alice.until(() => (alice.events.receipt ?? []).some((r) => r.userId === bobId && r.readSeq === seq), "bob's receipt");
  });

  it('announces the device online (retained) and leaves a Will that says offline when its connection dies', async () => {
    const net = await proxy();
    const { aliceId, bobId } = await pair({ mqttUrl: net.url });
    const watcher = await TestDevice.connect(platform.endpoints.mqtt, aliceId, 'watch', await platform.tokenFor(aliceId, 'watch'));
    watchers.push(watcher);
    const statusOf = (o: Observation) =>
      o.kind === 'other' && o.topic === devicePresenceTopic(bobId, 'phone') ? decodeDeviceStatus(o.payload) : undefined;
    await watcher.client.subscribeAsync(devicePresenceTopic(bobId, 'phone'), { qos: 1 });
    await watcher.waitFor((o) => statusOf(o)?.online === true, 'bob online');
    expect(watcher.observations.map(statusOf).find((s) => s !== undefined)).toEqual({
      online: true,
      heartbeatMs: DEFAULT_HEARTBEAT_INITIAL_INTERVAL_MS,
    });
    net.cut();
    await watcher.waitFor((o) => statusOf(o)?.online === false, "bob's Will");
  });

  it('pings on the heartbeat interval, and reconnects when PINGRESPs stop (the NAT dropped the mapping)', async () => {
    const userId = await user('erin');
    const net = await proxy();
    const { heartbeat, calls, untilCalls } = recordingHeartbeat(100);
    const erin = await connected(userId, { mqttUrl: net.url, heartbeat, pingTimeoutMs: 300 });
    await untilCalls(2);
    expect(calls.slice(0, 2)).toEqual(['ok', 'ok']);
    net.blackhole();
    const lost = await erin.untilStatus((s) => s.state === 'connecting', 'noticing the dead connection');
    expect(lost).toMatchObject({ code: 'ping_timeout' });
    expect(calls.at(-1)).toBe('failed');
    await erin.untilStatus((s) => s.state === 'connected', 'a new connection');
  });

  it('reconnects at once and re-learns the heartbeat when the phone changes networks', async () => {
    const userId = await user('frank');
    const { heartbeat, calls } = recordingHeartbeat(60_000);
    const frank = await connected(userId, { heartbeat });
    const statusesBefore = frank.statuses.length;
    frank.client.networkChanged();
    expect(calls).toEqual(['networkChanged']);
    const reconnecting = await frank.untilStatus((s) => s.state === 'connecting', 'dropping the old connection');
    expect(reconnecting).toMatchObject({ code: 'network_error' });
    await frank.untilStatus((s) => s.state === 'connected', 'a connection on the new network');
    expect(frank.statuses.slice(statusesBefore).map((s) => s.state)).toEqual(['connecting', 'connected']);
  });
});

/** A fixed-interval policy that records what the heartbeat driver reports to it. */
function recordingHeartbeat(intervalMs: number) {
  const calls: string[] = [];
  let changed = () => undefined as void;
  const record = (call: string) => {
    calls.push(call);
    changed();
  };
  const heartbeat: HeartbeatPolicy = {
    intervalMs: () => intervalMs,
    pingSucceeded: () => record('ok'),
    pingFailed: () => record('failed'),
    networkChanged: () => record('networkChanged'),
  };
  const untilCalls = (count: number) =>
    new Promise<void>((resolve) => {
      changed = () => {
        if (calls.length >= count) resolve();
      };
      changed();
    });
  return { heartbeat, calls, untilCalls };
}

describe('delivery bookkeeping', () => {
  it('delivers each (room, seq) once even when the platform re-publishes a stored message', async () => {
    const { room, alice, bob } = await pair();
    const { seq } = await alice.client.send(room.id, 'once');
    await bob.until(() => bob.client.lastSeq(room.id) === seq, 'the message');
    // What a resend of a stored send triggers (docs/durable-path.md#dedup): the stored message
    // again.
    const again = bob.delivered[0]!;
    await platform.broker.publish(roomTopic(room.id), encodeMessage(again), { qos: 1 });
    await alice.client.send(room.id, 'after');
    await bob.until(() => bob.client.lastSeq(room.id) === seq + 1, 'the next message');
    expect(bob.seqs(room.id)).toEqual(range(1, 2));
    expect(bob.client.stats().duplicates).toBeGreaterThanOrEqual(1);
  });
});
