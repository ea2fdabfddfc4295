/**
 * Development sign-in: off by default (the route does not exist: 404), and with DEV_SIGNIN=true
 * a name makes (or finds) the user dev-{name}, puts it in the lobby and issues a working token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let off: TestPlatform;
let on: TestPlatform;
beforeAll(async () => {
  [off, on] = await Promise.all([
    startTestPlatform({ database: 'pglite', brokerState: 'memory' }),
    startTestPlatform({ database: 'pglite', brokerState: 'memory' }, { DEV_SIGNIN: 'true' }),
  ]);
});
afterAll(async () => Promise.all([off?.stop(), on?.stop()]));

const signIn = (platform: TestPlatform, body: unknown) =>
  platform.api.inject({ method: 'POST', url: '/v1/dev/signin', payload: body as object });

describe('development sign-in', () => {
  it('does not exist unless DEV_SIGNIN=true, and the page is told so', async () => {
    const r = await signIn(off, { name: 'alice', deviceId: 'web-1' });
    expect([r.statusCode, r.json().error.code]).toEqual([404, 'ERR_ROUTE_NOT_FOUND']);
    expect((await off.api.inject({ method: 'GET', url: '/app/config.json' })).json()).toEqual({ devSignIn: false });
    expect((await on.api.inject({ method: 'GET', url: '/app/config.json' })).json()).toEqual({ devSignIn: true });
  });

  it('makes the user once, puts it in the lobby with everyone else, and issues a token that works', async () => {
    const first = await signIn(on, { name: 'alice', deviceId: 'web-1' });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ userId: 'dev-alice', deviceId: 'web-1', lobbyRoomId: 'dev-lobby' });
    const again = await signIn(on, { name: 'alice', deviceId: 'web-2' });
    expect(again.json().userId).toBe('dev-alice');
    await signIn(on, { name: 'bob', deviceId: 'web-1' });

    const rooms = await on.as(again.json().token, 'GET', '/v1/rooms');
    expect(rooms.json.rooms.map((room: { id: string; name: string }) => [room.id, room.name])).toEqual([['dev-lobby', 'Lobby']]);
    const lobby = await on.admin('GET', '/v1/rooms/dev-lobby');
    expect(lobby.json.members).toEqual(['dev-alice', 'dev-bob']);
    expect(lobby.json.memberVersion).toBe(2); // created with alice (1), bob added (2); alice's second sign-in changed nothing
  });

  it('refuses names outside [a-z0-9_]{1,32} and a missing device id with 400', async () => {
    for (const body of [
      { name: 'Alice', deviceId: 'w' },
      { name: 'a'.repeat(33), deviceId: 'w' },
      { name: 'a b', deviceId: 'w' },
      { name: 'ok' },
    ]) {
      expect((await signIn(on, body)).statusCode).toBe(400);
    }
  });

  it('never brings back a deleted user, and issues a working token after a revocation of the device', async () => {
    const first = await signIn(on, { name: 'carol', deviceId: 'web-1' });
    expect(first.statusCode).toBe(201);
    expect((await on.admin('POST', '/v1/admin/revocations', { userId: 'dev-carol', deviceId: 'web-1' })).status).toBe(201);
    expect((await on.as(first.json().token, 'GET', '/v1/rooms')).status).toBe(401);
    const again = await signIn(on, { name: 'carol', deviceId: 'web-1' });
    expect((await on.as(again.json().token, 'GET', '/v1/rooms')).status).toBe(200);

    expect((await on.admin('DELETE', '/v1/admin/users/dev-carol')).status).toBe(200);
    const deleted = await signIn(on, { name: 'carol', deviceId: 'web-2' });
    expect([deleted.statusCode, deleted.json().error.code]).toEqual([404, 'ERR_USER_NOT_FOUND']);
    expect((await on.admin('GET', '/v1/admin/users/dev-carol')).json).toMatchObject({ id: 'dev-carol', deletedAt: expect.any(String) });
  });
});
