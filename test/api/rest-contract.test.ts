/**
 * The REST contract of docs/contract.md#rest: auth, validation and the error shape, rooms,
 * membership, metadata preconditions, history and REST sends, docs, health and metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let platform: TestPlatform;
let alice: string;
let bob: string;
let aliceToken: string;

beforeAll(async () => {
  platform = await startTestPlatform({ database: 'pglite', brokerState: 'memory' });
  alice = await platform.createUser('alice');
  bob = await platform.createUser('bob');
  aliceToken = await platform.tokenFor(alice, 'laptop');
});
afterAll(async () => platform?.stop());

const errorCode = (r: { json: { error?: { code?: string } } }) => r.json.error?.code;

describe('authentication and authorisation', () => {
  it('answers 401 ERR_AUTH_MISSING without a bearer credential, and 401 ERR_AUTH_TOKEN_INVALID with a bad one', async () => {
    const none = await platform.api.inject({ method: 'POST', url: '/v1/users', payload: { name: 'x' } });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toEqual({ error: { code: 'ERR_AUTH_MISSING', message: expect.any(String) } });
    const bad = await platform.as('nonsense', 'POST', '/v1/users', { name: 'x' });
    expect([bad.status, errorCode(bad)]).toEqual([401, 'ERR_AUTH_TOKEN_INVALID']);
  });

  it('answers 401 ERR_AUTH_TOKEN_EXPIRED for an expired user token', async () => {
    const { createTokenService } = await import('../../lib/tokens.js');
    const past = createTokenService({
      secret: 'test-secret-test-secret-test-secret-0123',
      ttlSeconds: 60,
      now: () => Date.now() - 3_600_000,
    });
    const r = await platform.as(past.issue(alice, 'old').token, 'GET', '/v1/rooms');
    expect([r.status, errorCode(r)]).toEqual([401, 'ERR_AUTH_TOKEN_EXPIRED']);
  });

  it('keeps admin calls for the admin: a user token gets 403 ERR_AUTH_FORBIDDEN', async () => {
    const r = await platform.as(aliceToken, 'POST', '/v1/tokens', { userId: bob, deviceId: 'stolen' });
    expect([r.status, errorCode(r)]).toEqual([403, 'ERR_AUTH_FORBIDDEN']);
  });

  it('issues tokens only for existing users: 404 ERR_USER_NOT_FOUND otherwise', async () => {
    const r = await platform.admin('POST', '/v1/tokens', { userId: 'nobody', deviceId: 'd' });
    expect([r.status, errorCode(r)]).toEqual([404, 'ERR_USER_NOT_FOUND']);
    const ok = await platform.admin('POST', '/v1/tokens', { userId: alice, deviceId: 'd' });
    expect(ok.status).toBe(201);
    expect(Date.parse(ok.json.expiresAt)).toBeGreaterThan(Date.now());
  });
});

describe('bad input', () => {
  it('answers malformed JSON with 400 ERR_REQUEST_INVALID_JSON', async () => {
    const r = await platform.api.inject({
      method: 'POST',
      url: '/v1/users',
      headers: { authorization: `Bearer ${platform.adminToken}`, 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect([r.statusCode, r.json().error.code]).toEqual([400, 'ERR_REQUEST_INVALID_JSON']);
  });

  it('answers missing, wrong-typed and unknown fields with 400 ERR_REQUEST_INVALID', async () => {
    for (const body of [{}, { name: 42 }, { name: 'x', admin: true }]) {
      const r = await platform.admin('POST', '/v1/users', body);
      expect([r.status, errorCode(r)]).toEqual([400, 'ERR_REQUEST_INVALID']);
    }
    const badKind = await platform.admin('POST', '/v1/rooms', { name: 'r', kind: 'party', members: [] });
    expect([badKind.status, errorCode(badKind)]).toEqual([400, 'ERR_REQUEST_INVALID']);
    const badId = await platform.admin('GET', '/v1/rooms/has%2Fslash');
    expect([badId.status, errorCode(badId)]).toEqual([400, 'ERR_REQUEST_INVALID']);
  });

  it('refuses a body above the configured maximum with 413 ERR_REQUEST_TOO_LARGE', async () => {
    const r = await platform.admin('POST', '/v1/users', { name: 'x'.repeat(platform.config.MAX_PAYLOAD_BYTES * 3) });
    expect([r.status, errorCode(r)]).toEqual([413, 'ERR_REQUEST_TOO_LARGE']);
  });

  it('answers unknown routes and unknown rooms with 404 and a code', async () => {
    const route = await platform.admin('GET', '/v1/nothing-here');
    expect([route.status, errorCode(route)]).toEqual([404, 'ERR_ROUTE_NOT_FOUND']);
    const room = await platform.admin('GET', '/v1/rooms/unknownRoom');
    expect([room.status, errorCode(room)]).toEqual([404, 'ERR_ROOM_NOT_FOUND']);
  });
});

describe('rooms and membership', () => {
  it('lets a user create a room it then belongs to, and shows members only to members', async () => {
    const created = await platform.as(aliceToken, 'POST', '/v1/rooms', { name: 'team', kind: 'group', members: [bob] });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ memberVersion: 1 });
    const room = await platform.as(aliceToken, 'GET', `/v1/rooms/${created.json.id}`);
    expect(room.json).toMatchObject({ name: 'team', kind: 'group', lastSeq: 0, memberVersion: 1, metaVersion: 1 });
    expect(room.json.members.sort()).toEqual([alice, bob].sort());
    expect(room.headers['etag']).toBe('"1"');
    const carol = await platform.createUser('carol');
    const outsider = await platform.as(await platform.tokenFor(carol, 'p'), 'GET', `/v1/rooms/${created.json.id}`);
    expect([outsider.status, errorCode(outsider)]).toEqual([403, 'ERR_ROOM_NOT_MEMBER']);
    const listed = await platform.as(aliceToken, 'GET', '/v1/rooms');
    expect(listed.json.rooms.map((r: { id: string }) => r.id)).toContain(created.json.id);
  });

  it('bumps memberVersion on add and remove, and refuses membership changes of a direct room', async () => {
    const room = await platform.createRoom([alice]);
    const added = await platform.admin('POST', `/v1/rooms/${room.id}/members`, { userId: bob });
    expect(added.json).toEqual({ memberVersion: 2, changed: true });
    const again = await platform.admin('POST', `/v1/rooms/${room.id}/members`, { userId: bob });
    expect(again.json).toEqual({ memberVersion: 2, changed: false });
    const removed = await platform.as(aliceToken, 'DELETE', `/v1/rooms/${room.id}/members/${bob}`);
    expect(removed.json).toEqual({ memberVersion: 3, changed: true });
    const direct = await platform.createRoom([alice, bob], 'direct');
    const carol = await platform.createUser('carol');
    const refused = await platform.admin('POST', `/v1/rooms/${direct.id}/members`, { userId: carol });
    expect([refused.status, errorCode(refused)]).toEqual([409, 'ERR_ROOM_DIRECT_IMMUTABLE']);
    const unknownUser = await platform.admin('POST', `/v1/rooms/${room.id}/members`, { userId: 'ghost' });
    expect([unknownUser.status, errorCode(unknownUser)]).toEqual([404, 'ERR_USER_NOT_FOUND']);
  });

  it('honours If-Match on PATCH: the current ETag wins, a stale one gets 412', async () => {
    const room = await platform.createRoom([alice]);
    const first = await platform.as(aliceToken, 'PATCH', `/v1/rooms/${room.id}`, { name: 'first' }, { 'if-match': '"1"' });
    expect(first.status).toBe(200);
    expect(first.headers['etag']).toBe('"2"');
    const stale = await platform.as(aliceToken, 'PATCH', `/v1/rooms/${room.id}`, { name: 'lost' }, { 'if-match': '"1"' });
    expect([stale.status, errorCode(stale)]).toEqual([412, 'ERR_ROOM_PRECONDITION_FAILED']);
    const unconditional = await platform.as(aliceToken, 'PATCH', `/v1/rooms/${room.id}`, { description: 'no precondition' });
    expect(unconditional.json).toMatchObject({ name: 'first', description: 'no precondition', metaVersion: 3 });
  });

  it('lets exactly one of two racing PATCHes with the same If-Match win', async () => {
    const room = await platform.createRoom([alice]);
    const results = await Promise.all(
      ['left', 'right'].map((name) => platform.as(aliceToken, 'PATCH', `/v1/rooms/${room.id}`, { name }, { 'if-match': '"1"' })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 412]);
  });
});

describe('messages over REST', () => {
  it('stores a REST send through the same pipeline: 201 with a seq, 200 duplicate on retry, 409 on a stale version', async () => {
    const room = await platform.createRoom([alice, bob]);
    const body = { clientMsgId: 'rest-1', roomVersion: room.memberVersion, body: Buffer.from('from a bot').toString('base64') };
    const sent = await platform.as(aliceToken, 'POST', `/v1/rooms/${room.id}/messages`, body);
    expect([sent.status, sent.json]).toEqual([201, { roomId: room.id, clientMsgId: 'rest-1', seq: 1, duplicate: false }]);
    const retried = await platform.as(aliceToken, 'POST', `/v1/rooms/${room.id}/messages`, body);
    expect([retried.status, retried.json]).toEqual([200, { roomId: room.id, clientMsgId: 'rest-1', seq: 1, duplicate: true }]);
    const stale = await platform.as(aliceToken, 'POST', `/v1/rooms/${room.id}/messages`, {
      ...body,
      clientMsgId: 'rest-2',
      roomVersion: 99,
    });
    expect([stale.status, errorCode(stale), stale.json.error.details]).toEqual([
      409,
      'ERR_ROOM_VERSION_STALE',
      { roomVersion: room.memberVersion },
    ]);
    const history = await platform.as(aliceToken, 'GET', `/v1/rooms/${room.id}/messages?after=0`);
    expect(history.json.messages).toEqual([
      expect.objectContaining({ seq: 1, senderId: alice, senderDevice: 'laptop', clientMsgId: 'rest-1', body: body.body }),
    ]);
  });

  it('refuses a REST send from a non-member with 403 and from the admin (who is nobody) with 403', async () => {
    const room = await platform.createRoom([bob]);
    const body = { clientMsgId: 'x', roomVersion: 1, body: '' };
    const r = await platform.as(aliceToken, 'POST', `/v1/rooms/${room.id}/messages`, body);
    expect([r.status, errorCode(r)]).toEqual([403, 'ERR_ROOM_NOT_MEMBER']);
    const admin = await platform.admin('POST', `/v1/rooms/${room.id}/messages`, body);
    expect([admin.status, errorCode(admin)]).toEqual([403, 'ERR_AUTH_FORBIDDEN']);
  });

  it('answers gap-fill below the retention floor with 410 ERR_HISTORY_TRUNCATED', async () => {
    const { truncateHistory } = await import('../../store/index.js');
    const room = await platform.createRoom([alice]);
    for (const id of ['h1', 'h2', 'h3']) {
      await platform.as(aliceToken, 'POST', `/v1/rooms/${room.id}/messages`, { clientMsgId: id, roomVersion: 1, body: '' });
    }
    await truncateHistory(platform.db, room.id, 2);
    const r = await platform.as(aliceToken, 'GET', `/v1/rooms/${room.id}/messages?after=0`);
    expect([r.status, errorCode(r), r.json.error.details]).toEqual([
      410,
      'ERR_HISTORY_TRUNCATED',
      expect.objectContaining({ historyFloor: 2 }),
    ]);
  });
});

describe('operations', () => {
  it('reports health of the database and broker', async () => {
    const r = await platform.api.inject({ method: 'GET', url: '/healthz' });
    expect([r.statusCode, r.json()]).toEqual([200, { status: 'ok', checks: { database: true, broker: true } }]);
  });

  it('serves Prometheus metrics including sends, batch sizes and commit latency', async () => {
    const text = (await platform.api.inject({ method: 'GET', url: '/metrics' })).body;
    for (const name of ['chat_mqtt_connections', 'chat_sends_total', 'chat_send_batch_size_bucket', 'chat_send_commit_seconds_bucket']) {
      expect(text).toContain(name);
    }
  });

  it('serves OpenAPI docs at /docs listing the contract', async () => {
    expect((await platform.api.inject({ method: 'GET', url: '/docs' })).statusCode).toBeLessThan(400);
    const spec = (await platform.api.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/v1/users',
        '/v1/tokens',
        '/v1/rooms',
        '/v1/rooms/{id}',
        '/v1/rooms/{id}/members',
        '/v1/rooms/{id}/members/{userId}',
        '/v1/rooms/{id}/messages',
      ]),
    );
  });
});
