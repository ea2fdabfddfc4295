/**
 * The app-facing API of the SDK against the whole platform in this process (real broker, API,
 * PGlite): connect() as a promise, the connection's status codes, send progress, the room list
 * with unread counts, paging back through history, and presence per room.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageText, type ChatClientOptions, type SendState } from '@mqtt-chat/sdk';
import { deviceClientId } from '@mqtt-chat/protocol';
import { truncateHistory } from '../../store/index.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { createTestClient, FAST, range, type TestClient } from './support/sdk-client.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

let platform: TestPlatform;
const clients: TestClient[] = [];
const proxies: TcpProxy[] = [];

beforeAll(async () => {
  platform = await startTestPlatform({ database: 'pglite', brokerState: 'memory' });
});
afterAll(async () => {
  for (const c of clients) c.client.close();
  await Promise.all(proxies.map((p) => p.close()));
  await platform?.stop();
});

async function client(userId: string, extra: Partial<ChatClientOptions> = {}): Promise<TestClient> {
  const c = createTestClient({
    mqttUrl: platform.endpoints.mqtt,
    apiUrl: platform.endpoints.api,
    userId,
    deviceId: 'phone',
    token: await platform.tokenFor(userId, extra.deviceId ?? 'phone'),
    ...FAST,
    ...extra,
  });
  clients.push(c);
  return c;
}

async function connected(userId: string, extra: Partial<ChatClientOptions> = {}): Promise<TestClient> {
  const c = await client(userId, extra);
  await c.client.connect();
  return c;
}

const users = <N extends string[]>(...names: N) =>
  Promise.all(names.map((name) => platform.createUser(name))) as Promise<{ [K in keyof N]: string }>;

describe('connect()', () => {
  it('resolves once connected, says "reconnected" after a lost session, and resolves at once while connected', async () => {
    const [aliceId] = await users('alice');
    const net = await startTcpProxy(platform.endpoints.mqtt);
    proxies.push(net);
    const alice = await client(aliceId, { mqttUrl: net.url });
    await alice.client.connect();
    expect(alice.client.status()).toMatchObject({ state: 'connected', code: 'connected' });
    net.cut();
    await alice.untilStatus((s) => s.state === 'connected' && s.code === 'reconnected', 'the reconnect');
    await alice.client.connect(); // already connected: nothing to wait for
    const codes = alice.statuses.map((s) => `${s.state}:${s.code}`);
    expect(codes).toEqual(['connecting:connect', 'connected:connected', 'connecting:network_error', 'connected:reconnected']);
  });

  it('keeps retrying through network failures, and rejects with ERR_SDK_CLOSED when the app closes meanwhile', async () => {
    const [aliceId] = await users('alice');
    const net = await startTcpProxy(platform.endpoints.mqtt);
    proxies.push(net);
    await net.goDown(); // nothing listens: every attempt fails
    const alice = await client(aliceId, { mqttUrl: net.url });
    const connecting = alice.client.connect();
    await alice.untilStatus((s) => s.state === 'connecting' && s.attempt >= 2, 'two failed attempts');
    alice.client.close();
    await expect(connecting).rejects.toMatchObject({ code: 'ERR_SDK_CLOSED' });
  });
});

describe('send progress', () => {
  it('gives the clientMsgId at once, and reports pending, then acked with the seq the message arrives with', async () => {
    const [aliceId, bobId] = await users('alice', 'bob');
    const room = await platform.createRoom([aliceId, bobId]);
    const [alice, bob] = [await connected(aliceId), await connected(bobId)];
    await alice.untilSubscribed(room.id);
    const handle = alice.client.send(room.id, 'hello');
    const seen: SendState[] = [];
    handle.onChange((state) => seen.push(state));
    expect([handle.roomId, handle.state()]).toEqual([room.id, { state: 'pending' }]);
    const { seq } = await handle;
    expect(seen).toEqual([{ state: 'acked', seq }]);
    expect(handle.state()).toEqual({ state: 'acked', seq });
    expect(alice.events.send).toEqual([
      { roomId: room.id, clientMsgId: handle.clientMsgId, state: 'pending' },
      { roomId: room.id, clientMsgId: handle.clientMsgId, state: 'acked', seq },
    ]);
    await bob.until(() => bob.client.lastSeq(room.id) === seq, 'the message');
    expect(bob.delivered.find((m) => m.seq === seq)).toMatchObject({ clientMsgId: handle.clientMsgId });
  });

  it('reports failed with a code for a send refused for good, and an ignored handle does not reject unhandled', async () => {
    const [aliceId, outsiderId] = await users('alice', 'outsider');
    const room = await platform.createRoom([aliceId]);
    const outsider = await connected(outsiderId);
    const handle = outsider.client.send(room.id, 'let me in'); // never awaited
    await outsider.until(() => handle.state().state === 'failed', 'the refusal');
    expect(handle.state()).toMatchObject({ state: 'failed', code: 'ERR_SDK_SEND_REJECTED', error: { nack: { reason: 3 } } });
    expect(outsider.events.send?.map((u) => u.state)).toEqual(['pending', 'failed']);
  });
});

describe('room list', () => {
  it('lists rooms with name, lastSeq, readSeq and unread, kept current as messages arrive and as the user reads', async () => {
    const [aliceId, bobId] = await users('alice', 'bob');
    const room = await platform.createRoom([aliceId, bobId]);
    const alice = await connected(aliceId);
    const bob = await connected(bobId);
    const laptop = await connected(bobId, { deviceId: 'laptop' });
    await Promise.all([alice, bob, laptop].map((c) => c.untilSubscribed(room.id)));
    expect(bob.client.rooms()).toEqual([
      { id: room.id, name: 'test room', kind: 'group', lastSeq: 0, readSeq: 0, unread: 0, memberVersion: 1, members: undefined },
    ]);
    for (const i of range(1, 3)) await alice.client.send(room.id, `m${i}`);
    await bob.until(() => bob.client.room(room.id)?.unread === 3, 'three unread');
    expect(bob.events.roomUpdated?.at(-1)).toMatchObject({ id: room.id, lastSeq: 3, readSeq: 0, unread: 3 });

    bob.client.markRead(room.id); // up to the last message delivered
    expect(bob.client.room(room.id)).toMatchObject({ lastSeq: 3, readSeq: 3, unread: 0 });
    // The laptop hears the user's own receipt and clears the count too.
    await laptop.until(() => laptop.client.room(room.id)?.unread === 0 && laptop.client.room(room.id)?.lastSeq === 3, 'read elsewhere');

    // A device that starts later learns the read mark from GET /v1/rooms.
    await platform.receipts.flush();
    await alice.client.send(room.id, 'm4');
    const tablet = await connected(bobId, { deviceId: 'tablet' });
    await tablet.until(() => tablet.client.room(room.id)?.lastSeq === 4, 'the room list');
    expect(tablet.client.room(room.id)).toMatchObject({ readSeq: 3, unread: 1 });
  });

  it("never counts the user's own messages as unread, and agrees with the platform's count", async () => {
    const [aliceId, bobId] = await users('alice', 'bob');
    const room = await platform.createRoom([aliceId, bobId]);
    const [alice, bob] = [await connected(aliceId), await connected(bobId)];
    await Promise.all([alice, bob].map((c) => c.untilSubscribed(room.id)));
    await alice.client.send(room.id, 'from the phone');
    // From another of alice's devices, over REST (an app's backend, a share extension).
    const laptopToken = await platform.tokenFor(aliceId, 'laptop');
    const body = Buffer.from('from the laptop').toString('base64');
    const sent = await platform.as(laptopToken, 'POST', `/v1/rooms/${room.id}/messages`, { clientMsgId: 'rest-1', roomVersion: 1, body });
    expect(sent.status).toBe(201);
    await alice.until(() => alice.client.room(room.id)?.lastSeq === 2, 'her laptop message');
    expect(alice.client.room(room.id)).toMatchObject({ lastSeq: 2, readSeq: 2, unread: 0 });
    await bob.until(() => bob.client.room(room.id)?.lastSeq === 2, 'both messages');
    expect(bob.client.room(room.id)).toMatchObject({ readSeq: 0, unread: 2 });

    // The platform says the same, to a device that starts later and to GET /v1/rooms.
    const listed = await platform.as(laptopToken, 'GET', '/v1/rooms');
    expect(listed.json.rooms).toMatchObject([{ id: room.id, lastSeq: 2, readSeq: 2, unread: 0 }]);
    const tablet = await connected(aliceId, { deviceId: 'tablet' });
    await tablet.until(() => tablet.client.room(room.id)?.lastSeq === 2, 'the room list');
    expect(tablet.client.room(room.id)).toMatchObject({ readSeq: 2, unread: 0 });
  });

  it('adds a room the user joins, with its name and members, and removes a room the user leaves', async () => {
    const [aliceId, bobId] = await users('alice', 'bob');
    const bob = await connected(bobId);
    const created = await platform.as(await platform.tokenFor(aliceId, 'phone'), 'POST', '/v1/rooms', {
      name: 'weekend plans',
      kind: 'group',
      members: [bobId],
    });
    const roomId: string = created.json.id;
    await bob.until(() => bob.client.room(roomId)?.members !== undefined, 'the joined room, fetched');
    expect(bob.client.room(roomId)).toMatchObject({ name: 'weekend plans', members: [aliceId, bobId].sort(), unread: 0 });
    await platform.admin('DELETE', `/v1/rooms/${roomId}/members/${bobId}`);
    await bob.until(() => bob.client.room(roomId) === undefined, 'the room gone');
    expect(bob.events.roomRemoved).toEqual([{ roomId }]);
  });
});

describe('loadOlder', () => {
  it('pages back from the newest messages a client started with, ascending, to the start of the room', async () => {
    const [aliceId, bobId] = await users('alice', 'bob');
    const room = await platform.createRoom([aliceId, bobId]);
    const alice = await connected(aliceId);
    for (const i of range(1, 25)) await alice.client.send(room.id, `m${i}`);
    const bob = await connected(bobId, { initialHistoryLimit: 10 });
    await bob.until(() => bob.client.lastSeq(room.id) === 25, 'the newest messages');
    expect(bob.seqs(room.id)).toEqual(range(16, 25));

    const older = await bob.client.loadOlder(room.id, 10);
    expect([older.messages.map((m) => m.seq), older.reachedStart]).toEqual([range(6, 15), false]);
    expect(messageText(older.messages[0]!)).toBe('m6');
    const oldest = await bob.client.loadOlder(room.id, 10);
    expect([oldest.messages.map((m) => m.seq), oldest.reachedStart]).toEqual([range(1, 5), true]);
    expect(await bob.client.loadOlder(room.id, 10)).toMatchObject({ messages: [], reachedStart: true });
    expect(bob.seqs(room.id)).toEqual(range(16, 25)); // paging never replays into the message events
  });

  it('stops at the retention floor (historyFloor, then 410), and pages from an explicit `before`', async () => {
    const [aliceId, bobId] = await users('alice', 'bob');
    const room = await platform.createRoom([aliceId, bobId]);
    const alice = await connected(aliceId);
    for (const i of range(1, 8)) await alice.client.send(room.id, `m${i}`);
    await truncateHistory(platform.db, room.id, 3);
    const bob = await connected(bobId, { initialHistoryLimit: 2 });
    await bob.until(() => bob.client.lastSeq(room.id) === 8, 'the newest messages');
    expect(await bob.client.loadOlder(room.id, 2)).toMatchObject({ reachedStart: false, historyFloor: 3 });
    const toFloor = await bob.client.loadOlder(room.id, 10);
    expect([toFloor.messages.map((m) => m.seq), toFloor.reachedStart, toFloor.historyFloor]).toEqual([[4], true, 3]);
    expect(await bob.client.loadOlder(room.id, 10)).toEqual({ roomId: room.id, messages: [], reachedStart: true, historyFloor: 3 });
    // An app that keeps its own copy asks below the oldest message it has.
    const below = await bob.client.loadOlder(room.id, 2, { before: 7 });
    expect([below.messages.map((m) => m.seq), below.reachedStart]).toEqual([[5, 6], false]);
  });
});

describe('presence', () => {
  it("shows who of a watched room is online, aggregated over each member's devices, with change events", async () => {
    const [aliceId, bobId, carolId] = await users('alice', 'bob', 'carol');
    const room = await platform.createRoom([aliceId, bobId, carolId]);
    const alice = await connected(aliceId);
    const initial = await alice.client.watchPresence(room.id);
    // Neither has ever connected: no retained presence, so the state comes from GET /v1/presence.
    expect(initial.map((p) => p.userId).sort()).toEqual([bobId, carolId].sort());
    expect(initial.map(({ online, lastSeenMs }) => ({ online, lastSeenMs }))).toEqual([
      { online: false, lastSeenMs: 0 },
      { online: false, lastSeenMs: 0 },
    ]);
    const bobOnline = () => alice.client.presence(room.id).find((p) => p.userId === bobId)?.online;

    const phone = await connected(bobId);
    await alice.until(() => bobOnline() === true, 'bob online');
    expect(alice.events.presence?.at(-1)).toMatchObject({ userId: bobId, online: true, roomIds: [room.id] });
    const laptop = await connected(bobId, { deviceId: 'laptop' });
    const phoneGone = new Promise<void>((resolve) =>
      platform.broker.aedes.on('clientDisconnect', (c) => c.id === deviceClientId(bobId, 'phone') && resolve()),
    );
    phone.client.close();
    await phoneGone;
    const asAlice = await platform.as(await platform.tokenFor(aliceId, 'phone'), 'GET', `/v1/presence?userIds=${bobId}`);
    expect([asAlice.json.presence[0].online, bobOnline()]).toEqual([true, true]); // the laptop keeps bob online
    laptop.client.close();
    await alice.until(() => bobOnline() === false, 'bob offline once both devices left');
    const bobChanges = (alice.events.presence ?? []).filter((p) => p.userId === bobId).map((p) => p.online);
    expect(bobChanges).toEqual([false, true, false]); // never seen (from REST), online, offline
    expect(alice.client.presence(room.id).find((p) => p.userId === bobId)?.lastSeenMs).toBeGreaterThan(0);
  });

  it('follows the membership of a watched room: a member added is watched too, and nothing is watched after unwatch', async () => {
    const [aliceId, bobId, daveId] = await users('alice', 'bob', 'dave');
    const room = await platform.createRoom([aliceId, bobId]);
    const alice = await connected(aliceId);
    await alice.client.watchPresence(room.id);
    await platform.admin('POST', `/v1/rooms/${room.id}/members`, { userId: daveId });
    await alice.until(() => alice.client.presence(room.id).some((p) => p.userId === daveId), 'dave watched');
    await connected(daveId);
    await alice.until(() => alice.client.presence(room.id).find((p) => p.userId === daveId)?.online === true, 'dave online');
    alice.client.unwatchPresence(room.id);
    expect(alice.client.presence(room.id)).toEqual([]);
  });

  it('subscribes the watched presence again on a new session, so a change during an outage shows after it', async () => {
    const [aliceId, bobId] = await users('alice', 'bob');
    const room = await platform.createRoom([aliceId, bobId]);
    const net = await startTcpProxy(platform.endpoints.mqtt);
    proxies.push(net);
    const alice = await connected(aliceId, { mqttUrl: net.url });
    await alice.client.watchPresence(room.id);
    const bob = await connected(bobId);
    const bobOnline = () => alice.client.presence(room.id).find((p) => p.userId === bobId)?.online;
    await alice.until(() => bobOnline() === true, 'bob online');
    await net.goDown();
    await alice.untilStatus((s) => s.state === 'connecting', 'alice offline');
    bob.client.close(); // while alice cannot hear it
    await net.comeBack();
    await alice.until(() => bobOnline() === false, 'bob offline, from the retained presence');
  });
});
