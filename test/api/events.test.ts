/**
 * The SSE fallback on the server: tickets, the event stream (GET /v1/events) with the inbox,
 * room Messages replayed from the database and then live without duplicates, Last-Event-ID,
 * the broker's ACL and forward guard applied through the device's link, typing and receipts
 * over POST, presence, takeover, token expiry, the stream limit and a slow consumer.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenService } from '../../lib/tokens.js';
import {
  encodeReceipt,
  encodeTyping,
  inboxTopic,
  presenceTopic,
  receiptTopic,
  roomTopic,
  TypingState,
  typingTopic,
} from '../../schema/index.js';
import { TestDevice } from '../support/device.js';
import { startTestPlatform, TEST_JWT_SECRET, type TestPlatform } from '../support/platform.js';
import { decode, openSse, type SseTestClient } from '../support/sse-client.js';

let platform: TestPlatform;
const opened: SseTestClient[] = [];
const devices: TestDevice[] = [];

beforeAll(async () => {
  platform = await startTestPlatform(
    { database: 'pglite', brokerState: 'memory' },
    {
      SSE_HEARTBEAT_MS: '300',
      SSE_MAX_BUFFERED_BYTES: '65536',
      PRESENCE_REFRESH_MS: '100',
      PRESENCE_TTL_MS: '1000',
      // The slow-consumer test floods from one device on purpose; the send limit is not what it tests.
      SEND_RATE_PER_SECOND: '1000',
      SEND_BURST: '1000',
    },
  );
});
afterAll(async () => {
  for (const sse of opened) sse.close();
  await Promise.all(devices.map((d) => d.close()));
  await platform?.stop();
});

const errorCode = (r: { json: { error?: { code?: string } } }) => r.json.error?.code;

async function ticketFor(token: string): Promise<string> {
  const r = await platform.as(token, 'POST', '/v1/events/tickets');
  expect(r.status).toBe(201);
  return r.json.ticket;
}

async function stream(token: string, rooms: Record<string, number> = {}, headers: Record<string, string> = {}): Promise<SseTestClient> {
  const query = new URLSearchParams({ ticket: await ticketFor(token) });
  const listed = Object.entries(rooms).map(([id, seq]) => `${id}:${seq}`);
  if (listed.length > 0) query.set('rooms', listed.join(','));
  const sse = await openSse(`${platform.endpoints.api}/v1/events?${query.toString()}`, headers);
  opened.push(sse);
  return sse;
}

async function restSend(token: string, roomId: string, clientMsgId: string, text: string) {
  const room = await platform.admin('GET', `/v1/rooms/${roomId}`);
  const r = await platform.as(token, 'POST', `/v1/rooms/${roomId}/messages`, {
    clientMsgId,
    roomVersion: room.json.memberVersion,
    body: Buffer.from(text).toString('base64'),
  });
  expect(r.status).toBe(201);
  return r.json.seq as number;
}

async function pair() {
  const alice = await platform.createUser('alice');
  const bob = await platform.createUser('bob');
  const room = await platform.createRoom([alice, bob]);
  return { alice, bob, room: room.id, aliceToken: await platform.tokenFor(alice, 'web'), bobToken: await platform.tokenFor(bob, 'web') };
}

const roomSeqs = (sse: SseTestClient, roomId: string) =>
  sse.publishes((t) => t === roomTopic(roomId)).map((p) => decode.message(p.payload).seq);

describe('tickets', () => {
  it('are issued to a user token only, open one stream once, and are no device token', async () => {
    const { alice, aliceToken } = await pair();
    expect((await platform.api.inject({ method: 'POST', url: '/v1/events/tickets' })).statusCode).toBe(401);
    const admin = await platform.admin('POST', '/v1/events/tickets');
    expect([admin.status, errorCode(admin)]).toEqual([403, 'ERR_AUTH_FORBIDDEN']);
    const ticket = await ticketFor(aliceToken);

    const first = await openSse(`${platform.endpoints.api}/v1/events?ticket=${ticket}`);
    opened.push(first);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const ready = await first.waitFor((e) => e.event === 'ready', 'ready');
    expect(ready.data).toEqual({ heartbeatMs: 300, granted: { [inboxTopic(alice)]: 1 } });

    const again = await fetch(`${platform.endpoints.api}/v1/events?ticket=${ticket}`);
    expect([again.status, ((await again.json()) as any).error.code]).toEqual([401, 'ERR_EVENTS_TICKET_INVALID']);
    const asToken = await platform.as(ticket, 'GET', '/v1/rooms');
    expect([asToken.status, errorCode(asToken)]).toEqual([401, 'ERR_AUTH_TOKEN_INVALID']);
    await expect(TestDevice.connect(platform.endpoints.mqtt, alice, 'web', ticket)).rejects.toThrow(/authori[sz]ed/i);
  });

  it('refuses an expired ticket, and one signed with another key', async () => {
    const { alice } = await pair();
    const past = createTokenService({ secret: TEST_JWT_SECRET, ttlSeconds: 3600, now: () => Date.now() - 120_000 });
    const old = past.issueTicket(
      { userId: alice, deviceId: 'web', expiresAtMs: Date.now() + 3_600_000, issuedAtMs: Date.now() },
      30_000,
    ).ticket;
    const forged = createTokenService({ secret: 'another-secret-another-secret-0123456', ttlSeconds: 60 }).issueTicket(
      { userId: alice, deviceId: 'web', expiresAtMs: Date.now() + 60_000, issuedAtMs: Date.now() },
      30_000,
    ).ticket;
    for (const ticket of [old, forged, 'nonsense']) {
      const r = await fetch(`${platform.endpoints.api}/v1/events?ticket=${ticket}`);
      expect([r.status, ((await r.json()) as any).error.code]).toEqual([401, 'ERR_EVENTS_TICKET_INVALID']);
    }
  });

  it('are not needed by a client that can send the bearer token', async () => {
    const { aliceToken } = await pair();
    const sse = await openSse(`${platform.endpoints.api}/v1/events`, { authorization: `Bearer ${aliceToken}` });
    opened.push(sse);
    await sse.waitFor((e) => e.event === 'ready', 'ready');
  });
});

describe('the stream', () => {
  it('replays the missed Messages of each room from the database, then goes live, each seq once and in order', async () => {
    const { alice, bob, room, aliceToken, bobToken } = await pair();
    for (let i = 1; i <= 5; i++) await restSend(aliceToken, room, `m${i}`, `before ${i}`);
    const sse = await stream(bobToken, { [room]: 2 });
    const replayed = await sse.waitFor((e) => e.event === 'replayed', 'the replay');
    expect(replayed.data).toEqual({ roomId: room, lastSeq: 5, complete: true });
    expect(roomSeqs(sse, room)).toEqual([3, 4, 5]);
    await restSend(aliceToken, room, 'm6', 'live');
    await sse.waitFor((e) => e.event === 'publish' && e.id === `${room}:6`, 'the live message');
    expect(roomSeqs(sse, room)).toEqual([3, 4, 5, 6]);
    const ready = sse.events.find((e) => e.event === 'ready')!;
    expect(ready.data.granted).toMatchObject({ [inboxTopic(bob)]: 1, [roomTopic(room)]: 1, [typingTopic(room)]: 1 });
    void alice;
  });

  it('delivers the Ack of a REST send on the inbox, and resumes a room after Last-Event-ID', async () => {
    const { room, aliceToken } = await pair();
    const sse = await stream(aliceToken, { [room]: 0 });
    await sse.waitFor((e) => e.event === 'replayed', 'the replay');
    const seq = await restSend(aliceToken, room, 'acked-1', 'hello');
    const ack = await sse.waitFor((e) => e.event === 'publish' && e.data.topic.endsWith('/inbox'), 'the Ack');
    expect(decode.inbox(Buffer.from(ack.data.payload, 'base64'))).toMatchObject({ ack: { roomId: room, clientMsgId: 'acked-1', seq } });
    await restSend(aliceToken, room, 'acked-2', 'again');
    // An EventSource reconnecting on its own sends the id of the last event it got.
    const resumed = await stream(aliceToken, { [room]: 0 }, { 'last-event-id': `${room}:${seq}` });
    await resumed.waitFor((e) => e.event === 'replayed', 'the replay');
    expect(roomSeqs(resumed, room)).toEqual([seq + 1]);
  });

  it('streams nothing of a room the user is not a member of, and stops a removed member at once (the broker decides)', async () => {
    const { alice, bob, room, aliceToken, bobToken } = await pair();
    const carol = await platform.createUser('carol');
    const carolToken = await platform.tokenFor(carol, 'web');
    await restSend(aliceToken, room, 'secret-1', 'not for carol');
    const outsider = await stream(carolToken, { [room]: 0 });
    const ready = await outsider.waitFor((e) => e.event === 'ready', 'ready');
    expect(ready.data.granted[roomTopic(room)]).toBe(128);
    expect(outsider.events.some((e) => e.event === 'replayed')).toBe(false);

    const member = await stream(bobToken, { [room]: 1 });
    await member.waitFor((e) => e.event === 'replayed', 'the replay');
    expect((await platform.admin('DELETE', `/v1/rooms/${room}/members/${bob}`)).status).toBe(200);
    await member.waitFor((e) => e.event === 'publish' && e.data.topic === inboxTopic(bob), 'the removal in the inbox');
    await restSend(aliceToken, room, 'secret-2', 'after the removal');
    const watcher = await stream(aliceToken, { [room]: 1 });
    await watcher.waitFor((e) => e.event === 'publish' && e.id === `${room}:2`, 'the message at a member');
    expect(roomSeqs(member, room)).toEqual([]);
    expect(roomSeqs(outsider, room)).toEqual([]);
    void alice;
  });

  it('sends a heartbeat when idle, and says why it ends when the same device opens another stream', async () => {
    const { aliceToken } = await pair();
    const first = await stream(aliceToken);
    await first.waitFor((e) => e.event === 'heartbeat', 'a heartbeat');
    const second = await stream(aliceToken);
    await second.waitFor((e) => e.event === 'ready', 'ready');
    const end = await first.waitFor((e) => e.event === 'end', 'the end of the replaced stream');
    expect(end.data.code).toBe('link_closed');
    await first.ended;
  });

  it('ends when the token it was opened with expires', async () => {
    const { alice } = await pair();
    // Expires 4 s from now: time enough to open the stream on a loaded machine (1.5 s was not, in CI).
    const shortLived = createTokenService({ secret: TEST_JWT_SECRET, ttlSeconds: 60, now: () => Date.now() - 56_000 }).issue(
      alice,
      'web',
    ).token;
    const sse = await stream(shortLived);
    await sse.waitFor((e) => e.event === 'ready', 'ready');
    const end = await sse.waitFor((e) => e.event === 'end', 'the end at expiry');
    expect(end.data.code).toBe('token_expired');
  });

  it("ends at once when its device's tokens are revoked, and a ticket issued before the revocation opens nothing", async () => {
    const { alice, aliceToken } = await pair();
    const sse = await stream(aliceToken);
    await sse.waitFor((e) => e.event === 'ready', 'ready');
    const spare = await ticketFor(aliceToken);
    const revoked = await platform.admin('POST', '/v1/admin/revocations', { userId: alice, deviceId: 'web' });
    expect(revoked.status).toBe(201);
    // The stream's link connected with a token carrying the device token's issue time: the broker cuts it.
    const end = await sse.waitFor((e) => e.event === 'end', 'the end at revocation');
    expect(end.data.code).toBe('link_closed');
    await sse.ended;
    const late = await fetch(`${platform.endpoints.api}/v1/events?ticket=${spare}`);
    expect([late.status, ((await late.json()) as any).error.code]).toEqual([401, 'ERR_AUTH_TOKEN_REVOKED']);
    // A token issued after the revocation opens a stream again.
    const fresh = await stream(await platform.tokenFor(alice, 'web'));
    await fresh.waitFor((e) => e.event === 'ready', 'ready with a new token');
  });

  it('makes the device online while it is open, and offline when it closes', async () => {
    const { alice, aliceToken, bobToken } = await pair();
    const presenceOf = async () => (await platform.as(bobToken, 'GET', `/v1/presence?userIds=${alice}`)).json.presence[0];
    const sse = await stream(aliceToken);
    await sse.waitFor((e) => e.event === 'ready', 'ready');
    await expect.poll(presenceOf).toMatchObject({ online: true });
    sse.close();
    await expect.poll(presenceOf).toMatchObject({ online: false });
  });

  it('replays more than SSE_MAX_BUFFERED_BYTES to a client that reads, waiting for it instead of closing it', async () => {
    const { room, aliceToken, bobToken } = await pair();
    const big = 'y'.repeat(50_000);
    for (let i = 1; i <= 12; i++) await restSend(aliceToken, room, `replay-${i}`, big); // 12 x 67 KB frames
    const sse = await stream(bobToken, { [room]: 0 });
    const replayed = await sse.waitFor((e) => e.event === 'replayed', 'the replay');
    expect(replayed.data.complete).toBe(true);
    expect(roomSeqs(sse, room)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('closes a client that does not read, instead of buffering for it without bound', async () => {
    const { room, aliceToken, bobToken } = await pair();
    const ticket = await ticketFor(bobToken);
    const closedBefore = await slowConsumerCount();
    const { port } = new URL(platform.endpoints.api);
    const socket = connect(Number(port), '127.0.0.1');
    socket.write(`GET /v1/events?ticket=${ticket}&rooms=${room}:0 HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n`);
    socket.pause(); // never reads: the kernel buffers fill, then the server's
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const big = 'x'.repeat(60_000);
    for (let i = 0; (await slowConsumerCount()) === closedBefore; i++) {
      await restSend(aliceToken, room, `big-${i}`, big);
      if (i > 400) throw new Error('the stream was never closed');
    }
    socket.resume();
    await closed;
  });
});

async function slowConsumerCount(): Promise<number> {
  const text = (await platform.api.inject({ method: 'GET', url: '/metrics' })).body;
  return Number(/chat_event_streams_closed_total\{reason="slow_consumer"\} (\d+)/.exec(text)?.[1] ?? 0);
}

describe('subscriptions, typing and receipts through the stream', () => {
  it('refuses them without an open stream, and for a room the caller is not in', async () => {
    const { room, aliceToken } = await pair();
    const typing = await platform.as(aliceToken, 'POST', `/v1/rooms/${room}/typing`, { state: 'start' });
    expect([typing.status, errorCode(typing)]).toEqual([409, 'ERR_EVENTS_NO_STREAM']);
    const subscribe = await platform.as(aliceToken, 'POST', '/v1/events/subscriptions', { add: [roomTopic(room)] });
    expect([subscribe.status, errorCode(subscribe)]).toEqual([409, 'ERR_EVENTS_NO_STREAM']);
    const outsider = await platform.tokenFor(await platform.createUser('eve'), 'web');
    const sse = await stream(outsider);
    await sse.waitFor((e) => e.event === 'ready', 'ready');
    const receipt = await platform.as(outsider, 'POST', `/v1/rooms/${room}/receipts`, { readSeq: 1 });
    expect([receipt.status, errorCode(receipt)]).toEqual([403, 'ERR_ROOM_NOT_MEMBER']);
  });

  it('relays typing and receipts stamped with the sender, to MQTT members and other streams alike', async () => {
    const { alice, bob, room, aliceToken, bobToken } = await pair();
    await restSend(bobToken, room, 'r1', 'one');
    const phone = await TestDevice.connect(platform.endpoints.mqtt, bob, 'phone', await platform.tokenFor(bob, 'phone'));
    devices.push(phone);
    await phone.client.subscribeAsync([typingTopic(room), receiptTopic(room)], { qos: 0 });
    const aliceStream = await stream(aliceToken, { [room]: 1 });
    const bobStream = await stream(bobToken, { [room]: 1 });
    await Promise.all([aliceStream, bobStream].map((s) => s.waitFor((e) => e.event === 'replayed', 'the replay')));

    expect((await platform.as(aliceToken, 'POST', `/v1/rooms/${room}/typing`, { state: 'start' })).status).toBe(204);
    expect((await platform.as(aliceToken, 'POST', `/v1/rooms/${room}/receipts`, { readSeq: 1 })).status).toBe(204);
    const typing = await phone.waitFor((o) => o.kind === 'other' && o.topic === typingTopic(room), 'typing');
    expect(decode.typing((typing as { payload: Buffer }).payload)).toEqual({ state: TypingState.TYPING_STATE_START, userId: alice });
    const receipt = await bobStream.waitFor((e) => e.event === 'publish' && e.data.topic === receiptTopic(room), 'the receipt');
    expect(decode.receipt(Buffer.from(receipt.data.payload, 'base64'))).toEqual({ readSeq: 1, userId: alice });
    await expect.poll(async () => (await platform.as(aliceToken, 'GET', `/v1/rooms/${room}`)).json.readSeq).toBe(1);

    // And the other way: the MQTT phone's typing reaches alice's stream.
    await phone.client.publishAsync(typingTopic(room), Buffer.from(encodeTyping({ state: TypingState.TYPING_STATE_START, userId: '' })));
    await phone.client.publishAsync(receiptTopic(room), Buffer.from(encodeReceipt({ readSeq: 1, userId: '' })));
    const fromBob = (e: { event: string; data: any }) =>
      e.event === 'publish' && e.data.topic === typingTopic(room) && decode.typing(Buffer.from(e.data.payload, 'base64')).userId === bob;
    await aliceStream.waitFor(fromBob, "the phone's typing");
  });

  it("adds and removes topics as the broker's ACL allows: a co-member's presence yes, a stranger's no", async () => {
    const { alice, aliceToken, bobToken } = await pair();
    const stranger = await platform.createUser('stranger');
    const bobStream = await stream(bobToken);
    await bobStream.waitFor((e) => e.event === 'ready', 'ready');
    const aliceStream = await stream(aliceToken);
    await aliceStream.waitFor((e) => e.event === 'ready', 'ready');
    const r = await platform.as(bobToken, 'POST', '/v1/events/subscriptions', { add: [presenceTopic(alice), presenceTopic(stranger)] });
    expect(r.json).toEqual({ granted: [1, 128] });
    await bobStream.waitFor((e) => e.event === 'publish' && e.data.topic === presenceTopic(alice), "alice's retained presence");
    const removed = await platform.as(bobToken, 'POST', '/v1/events/subscriptions', { remove: [presenceTopic(alice)] });
    expect(removed.json).toEqual({ granted: [] });
  });
});

describe('limits', () => {
  it('answers 503 ERR_EVENTS_TOO_MANY_STREAMS beyond SSE_MAX_STREAMS, with Retry-After', async () => {
    const small = await startTestPlatform({ database: 'pglite', brokerState: 'memory' }, { SSE_MAX_STREAMS: '1' });
    try {
      const tokens = await Promise.all(['a', 'b'].map(async (name) => small.tokenFor(await small.createUser(name), 'web')));
      const first = await openSse(`${small.endpoints.api}/v1/events`, { authorization: `Bearer ${tokens[0]}` });
      await first.waitFor((e) => e.event === 'ready', 'ready');
      const second = await fetch(`${small.endpoints.api}/v1/events`, { headers: { authorization: `Bearer ${tokens[1]}` } });
      expect([second.status, second.headers.get('retry-after'), ((await second.json()) as any).error.code]).toEqual([
        503,
        '1',
        'ERR_EVENTS_TOO_MANY_STREAMS',
      ]);
      const closing = small.stop();
      const end = await first.waitFor((e) => e.event === 'end', 'the end at shutdown');
      expect(end.data.code).toBe('shutting_down');
      await closing;
    } catch (error) {
      await small.stop().catch(() => undefined);
      throw error;
    }
  });

  it('refuses a rooms list that is not roomId:seq with 400', async () => {
    const { aliceToken } = await pair();
    const r = await fetch(`${platform.endpoints.api}/v1/events?rooms=a:b`, { headers: { authorization: `Bearer ${aliceToken}` } });
    expect(r.status).toBe(400);
  });
});
