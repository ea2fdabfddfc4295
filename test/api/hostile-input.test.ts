/**
 * Hostile values on every route: text the database cannot store (NUL, lone surrogates) and
 * integers out of every range (huge, negative, fractional, not numbers) are 400
 * ERR_REQUEST_INVALID, never a 500 from the database underneath.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let platform: TestPlatform;
let alice: string;
let bob: string;
let aliceToken: string;
let roomId: string;

beforeAll(async () => {
  platform = await startTestPlatform({ database: 'pglite', brokerState: 'memory' });
  alice = await platform.createUser('alice');
  bob = await platform.createUser('bob');
  aliceToken = await platform.tokenFor(alice, 'phone');
  roomId = (await platform.createRoom([alice, bob])).id;
});
afterAll(async () => platform?.stop());

const errorCode = (r: { json: { error?: { code?: string } } }) => r.json.error?.code;
const NUL = 'a\u0000b';
const LONE_SURROGATE = 'a\uD800b';

describe('text a PostgreSQL text column cannot hold', () => {
  /** Every route with a JSON body, each string field poisoned in turn (the admin or alice calls it). */
  const bodies = (bad: string): [string, 'admin' | 'user', string, string, () => object][] => [
    ['name of a user', 'admin', 'POST', '/v1/users', () => ({ name: bad })],
    ['device id of a token', 'admin', 'POST', '/v1/tokens', () => ({ userId: alice, deviceId: bad })],
    ['name of a room', 'user', 'POST', '/v1/rooms', () => ({ name: bad, kind: 'group', members: [] })],
    ['description of a room', 'user', 'POST', '/v1/rooms', () => ({ name: 'r', kind: 'group', members: [], description: bad })],
    ['a member id', 'user', 'POST', '/v1/rooms', () => ({ name: 'r', kind: 'group', members: [bob, bad] })],
    ['a new name', 'user', 'PATCH', '/v1/rooms/{room}', () => ({ name: bad })],
    ['a new description', 'user', 'PATCH', '/v1/rooms/{room}', () => ({ description: bad })],
    ['a member to add', 'user', 'POST', '/v1/rooms/{room}/members', () => ({ userId: bad })],
    ['a client message id', 'user', 'POST', '/v1/rooms/{room}/messages', () => ({ clientMsgId: bad, roomVersion: 1, body: '' })],
    [
      'a content type',
      'user',
      'POST',
      '/v1/rooms/{room}/messages',
      () => ({ clientMsgId: 'c1', roomVersion: 1, body: '', contentType: bad }),
    ],
    ['a push platform', 'user', 'PUT', '/v1/devices/phone/push', () => ({ platform: bad, token: 'abcdefgh' })],
    ['a push token', 'user', 'PUT', '/v1/devices/phone/push', () => ({ platform: 'fcm', token: bad })],
    ['an unknown field name', 'admin', 'POST', '/v1/users', () => ({ name: 'x', [bad]: 1 })],
  ];

  for (const [what, bad] of [
    ['a NUL', NUL],
    ['a lone surrogate', LONE_SURROGATE],
  ] as const) {
    it.each(bodies(bad))(`answers ${what} in %s with 400 ERR_REQUEST_INVALID`, async (_field, who, method, url, body) => {
      const path = url.replace('{room}', roomId);
      const r = who === 'admin' ? await platform.admin(method, path, body()) : await platform.as(aliceToken, method, path, body());
      expect([r.status, errorCode(r)]).toEqual([400, 'ERR_REQUEST_INVALID']);
    });
  }

  it('names where the bad text was', async () => {
    const r = await platform.as(aliceToken, 'POST', '/v1/rooms', { name: 'ok', kind: 'group', members: [bob], description: NUL });
    expect(r.json.error.message).toBe('body.description contains a NUL character');
  });

  it('answers a NUL in a query string or a path with 400, not 500', async () => {
    for (const url of [`/v1/presence?userIds=${encodeURIComponent(NUL)}`, `/v1/rooms/${encodeURIComponent(NUL)}`, `/v1/rooms?after=a%00`]) {
      const r = await platform.as(aliceToken, 'GET', url);
      expect([r.status, errorCode(r)], url).toEqual([400, 'ERR_REQUEST_INVALID']);
    }
  });

  it('still stores text with characters beyond the BMP and U+FFFD, which are valid', async () => {
    const r = await platform.as(aliceToken, 'POST', '/v1/rooms', { name: 'café 😀 \uFFFD', kind: 'group', members: [bob] });
    expect(r.status).toBe(201);
    expect((await platform.as(aliceToken, 'GET', `/v1/rooms/${r.json.id}`)).json.name).toBe('café 😀 \uFFFD');
  });
});

describe('integers out of range', () => {
  const HUGE = '99999999999999999999';
  const NOT_INTEGERS = ['-1', '1.5', HUGE, '1e400', 'abc', '9007199254740993'];

  it.each([
    ...NOT_INTEGERS.map((v) => ['messages after', `/v1/rooms/{room}/messages?after=${v}`]),
    ...NOT_INTEGERS.map((v) => ['messages before', `/v1/rooms/{room}/messages?before=${v}`]),
    ...[...NOT_INTEGERS, '0', '501'].map((v) => ['messages limit', `/v1/rooms/{room}/messages?limit=${v}`]),
    ...[...NOT_INTEGERS, '0', '501'].map((v) => ['rooms limit', `/v1/rooms?limit=${v}`]),
    ['two limits', '/v1/rooms?limit=1&limit=2'],
  ])('answers %s in %s with 400 ERR_REQUEST_INVALID', async (_what, url) => {
    const r = await platform.as(aliceToken, 'GET', url.replace('{room}', roomId));
    expect([r.status, errorCode(r)]).toEqual([400, 'ERR_REQUEST_INVALID']);
  });

  it.each(['"99999999999"', '"2147483648"', '"-1"', '"1.5"', '"abc"', '"0"', 'W/"99999999999"', '"1", "2"', '1'])(
    'answers If-Match: %s with 400 ERR_REQUEST_INVALID',
    async (ifMatch) => {
      const r = await platform.as(aliceToken, 'PATCH', `/v1/rooms/${roomId}`, { name: 'n' }, { 'if-match': ifMatch });
      expect([r.status, errorCode(r)]).toEqual([400, 'ERR_REQUEST_INVALID']);
    },
  );

  it('still honours a valid If-Match, weak or strong, and *', async () => {
    const room = await platform.createRoom([alice]);
    for (const [ifMatch, status] of [
      ['"1"', 200],
      ['W/"2"', 200],
      ['*', 200],
      ['"1"', 412],
    ] as const) {
      const r = await platform.as(aliceToken, 'PATCH', `/v1/rooms/${room.id}`, { name: 'n' }, { 'if-match': ifMatch });
      expect(r.status, ifMatch).toBe(status);
    }
  });

  it.each([1e20, -1, 1.5, 2 ** 31, '1'])('answers a send with roomVersion %s with 400 ERR_REQUEST_INVALID', async (roomVersion) => {
    const r = await platform.as(aliceToken, 'POST', `/v1/rooms/${roomId}/messages`, { clientMsgId: 'v', roomVersion, body: '' });
    expect([r.status, errorCode(r)]).toEqual([400, 'ERR_REQUEST_INVALID']);
  });

  it('never answers 500 to any query value on the routes that take integers (property)', async () => {
    const value = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
      fc.double().map(String),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('after', 'before', 'limit'), value, fc.boolean(), async (name, raw, roomsRoute) => {
        const query = `${name}=${encodeURIComponent(raw)}`;
        const url = roomsRoute ? `/v1/rooms?${query.replace('before', 'after')}` : `/v1/rooms/${roomId}/messages?${query}`;
        const r = await platform.as(aliceToken, 'GET', url);
        expect(r.status, url).toBeLessThan(500);
      }),
      { numRuns: 200 },
    );
  });
});

describe('requests the router refuses before any route (found by the fuzz suite)', () => {
  it('answers a body with a NUL on an OPTIONS preflight with 400 ERR_REQUEST_INVALID, not a 500', async () => {
    const r = await platform.api.inject({
      method: 'OPTIONS',
      url: '/v1/devices/phone/keys',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ identityKey: NUL }),
    });
    expect([r.statusCode, JSON.parse(r.body).error?.code]).toEqual([400, 'ERR_REQUEST_INVALID']);
  });

  it.each([
    ['a path that is not valid percent-encoding', '/v1/devices/%ff/keys/count'],
    ['a path parameter longer than any id', `/v1/rooms/${'x'.repeat(200)}`],
  ])('answers %s with 400 ERR_REQUEST_INVALID from the error catalogue', async (_what, url) => {
    const r = await platform.as(aliceToken, 'GET', url);
    expect([r.status, errorCode(r)]).toEqual([400, 'ERR_REQUEST_INVALID']);
  });
});
