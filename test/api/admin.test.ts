/**
 * The admin control plane over REST, against the whole platform: pages of users and rooms,
 * deleting a user (what its connections, rooms, members and history see), stats.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoomEventKind, decodeRoomEvent, roomEventTopic } from '../../schema/index.js';
import { getPushToken, registerPushToken } from '../../store/index.js';
import { TestDevice } from '../support/device.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { connackCode } from '../support/raw-mqtt.js';

let platform: TestPlatform;
const devices: TestDevice[] = [];

beforeAll(async () => {
  platform = await startTestPlatform({ database: 'pglite', brokerState: 'memory' });
});
afterAll(async () => {
  await Promise.all(devices.map((d) => d.close().catch(() => undefined)));
  await platform?.stop();
});

async function connect(userId: string, deviceId = 'phone'): Promise<{ device: TestDevice; token: string }> {
  const token = await platform.tokenFor(userId, deviceId);
  const device = await TestDevice.connect(platform.endpoints.mqtt, userId, deviceId, token);
  devices.push(device);
  return { device, token };
}

/** Every page of a listing, following nextAfter. */
async function allPages(path: string): Promise<{ pages: any[]; items: any[] }> {
  const pages = [];
  let after: string | null = null;
  do {
    const r = await platform.admin('GET', `${path}${after === null ? '' : `&after=${after}`}`);
    expect(r.status).toBe(200);
    pages.push(r.json);
    after = r.json.nextAfter;
  } while (after !== null);
  return { pages, items: pages.flatMap((p) => p.users ?? p.rooms) };
}

describe('GET /v1/admin/users and /v1/admin/rooms', () => {
  it('pages users by name prefix with their room counts and the total on every page', async () => {
    const ids: string[] = [];
    for (const name of ['Zed One', 'zed two', 'ZED three']) ids.push(await platform.createUser(name));
    await platform.createUser('not zed');
    await platform.createRoom([ids[0]!, ids[1]!]);
    const { pages, items } = await allPages('/v1/admin/users?prefix=zed&limit=2');
    expect(pages.map((p) => [p.users.length, p.total])).toEqual([
      [2, 3],
      [1, 3],
    ]);
    expect(items.map((u) => u.id)).toEqual([...ids].sort());
    expect(items.find((u) => u.id === ids[0])).toMatchObject({ name: 'Zed One', rooms: 1, deletedAt: null });
    expect(Date.parse(items[0].createdAt)).toBeGreaterThan(0);
  });

  it('pages every room by name prefix, kind and member, with member counts', async () => {
    const [a, b, c] = [await platform.createUser('a'), await platform.createUser('b'), await platform.createUser('c')];
    const create = async (name: string, kind: 'group' | 'direct', members: string[]) =>
      (await platform.admin('POST', '/v1/rooms', { name, kind, members })).json.id as string;
    const group = await create('Ops group', 'group', [a, b, c]);
    const direct = await create('ops direct', 'direct', [a, b]);
    await create('elsewhere', 'group', [c]);
    const { items, pages } = await allPages('/v1/admin/rooms?prefix=ops&limit=1');
    expect(pages).toHaveLength(2);
    expect(items.map((r) => [r.id, r.memberCount, r.kind]).sort()).toEqual(
      [
        [group, 3, 'group'],
        [direct, 2, 'direct'],
      ].sort(),
    );
    expect((await platform.admin('GET', '/v1/admin/rooms?prefix=ops&kind=direct')).json.rooms.map((r: any) => r.id)).toEqual([direct]);
    expect((await platform.admin('GET', `/v1/admin/rooms?member=${c}`)).json.total).toBe(2);
  });

  it('keeps the admin listings for the admin and validates their queries', async () => {
    const token = await platform.tokenFor(await platform.createUser('curious'), 'phone');
    for (const path of ['/v1/admin/users', '/v1/admin/rooms', '/v1/admin/stats']) {
      expect(await platform.as(token, 'GET', path)).toMatchObject({ status: 403, json: { error: { code: 'ERR_AUTH_FORBIDDEN' } } });
    }
    for (const query of ['limit=0', 'limit=501', 'deleted=maybe', 'after=not/an/id', 'kind=circle'])
      expect((await platform.admin('GET', `/v1/admin/${query.startsWith('kind') ? 'rooms' : 'users'}?${query}`)).status).toBe(400);
  });
});

describe('DELETE /v1/admin/users/{userId}', () => {
  it('cuts the user off, removes it from every room with an event, keeps its messages in a gapless history, deletes its data', async () => {
    const gone = await platform.createUser('gone');
    const bob = await platform.createUser('bob');
    const room = await platform.createRoom([gone, bob]);
    const goneDevice = await connect(gone);
    const bobDevice = await connect(bob);
    expect(await bobDevice.device.joinRoom(room.id)).toBe(1);
    await bobDevice.device.client.subscribeAsync(roomEventTopic(room.id), { qos: 1 });
    await goneDevice.device.send(room.id, 'g1', room.memberVersion, 'from the user who goes');
    await bobDevice.device.send(room.id, 'b1', room.memberVersion, 'from bob');
    await bobDevice.device.waitForMessages(room.id, 2);
    await registerPushToken(platform.db, { userId: gone, deviceId: 'phone', platform: 'fcm', token: 'fcm-token-gone', registeredAtMs: 1 });

    const cut = new Promise<void>((resolve) => goneDevice.device.client.once('close', () => resolve()));
    const deleted = await platform.admin('DELETE', `/v1/admin/users/${gone}`);
    expect(deleted).toMatchObject({ status: 200, json: { id: gone, deletedNow: true, roomsLeft: 1, pushTokensDeleted: 1 } });
    await cut;

    // Its members hear it left, with the bumped version their next send must carry.
    const removal = await bobDevice.device.waitFor((o) => o.kind === 'other' && o.topic === roomEventTopic(room.id), 'the removal event');
    const event = decodeRoomEvent((removal as { payload: Buffer }).payload);
    expect(event).toMatchObject({
      kind: RoomEventKind.ROOM_EVENT_KIND_MEMBER_REMOVED,
      userId: gone,
      memberVersion: room.memberVersion + 1,
    });
    await bobDevice.device.send(room.id, 'b2', event.memberVersion, 'after');
    expect((await bobDevice.device.waitForAck('b2')).seq).toBe(3);
    const history = await platform.as(bobDevice.token, 'GET', `/v1/rooms/${room.id}/messages`);
    expect(history.json.messages.map((m: any) => [m.seq, m.senderId])).toEqual([
      [1, gone],
      [2, bob],
      [3, bob],
    ]);
    expect((await platform.as(bobDevice.token, 'GET', `/v1/rooms/${room.id}`)).json.members).toEqual([bob]);

    // Its tokens are refused on both doors, no new one is issued, and its data is gone.
    expect(await connackCode(platform.endpoints.mqtt, { userId: gone, deviceId: 'phone', token: goneDevice.token })).toBe(5);
    expect((await platform.as(goneDevice.token, 'GET', '/v1/rooms')).json.error.code).toBe('ERR_AUTH_TOKEN_REVOKED');
    expect((await platform.admin('POST', '/v1/tokens', { userId: gone, deviceId: 'phone' })).status).toBe(404);
    expect(await getPushToken(platform.db, gone, 'phone')).toBeUndefined();
    expect((await platform.admin('GET', `/v1/admin/users/${gone}`)).json).toMatchObject({ id: gone, name: '', rooms: 0 });
    expect((await platform.admin('GET', `/v1/admin/users/${gone}`)).json.deletedAt).toBe(deleted.json.deletedAt);
  });

  it('is idempotent, and answers 404 for a user that never existed', async () => {
    const user = await platform.createUser('twice');
    const first = await platform.admin('DELETE', `/v1/admin/users/${user}`);
    expect(await platform.admin('DELETE', `/v1/admin/users/${user}`)).toMatchObject({
      status: 200,
      json: { deletedNow: false, deletedAt: first.json.deletedAt, roomsLeft: 0 },
    });
    expect(await platform.admin('DELETE', '/v1/admin/users/never-was')).toMatchObject({
      status: 404,
      json: { error: { code: 'ERR_USER_NOT_FOUND' } },
    });
  });
});

describe('GET /v1/admin/stats', () => {
  it('counts users, deleted users, rooms, messages and the deny list', async () => {
    const before = (await platform.admin('GET', '/v1/admin/stats')).json;
    const user = await platform.createUser('counted');
    const room = await platform.createRoom([user]);
    const token = await platform.tokenFor(user, 'phone');
    await platform.as(token, 'POST', `/v1/rooms/${room.id}/messages`, { clientMsgId: 'c1', roomVersion: room.memberVersion, body: '' });
    await platform.admin('DELETE', `/v1/admin/users/${await platform.createUser('removed')}`);
    expect((await platform.admin('GET', '/v1/admin/stats')).json).toMatchObject({
      users: before.users + 1,
      deletedUsers: before.deletedUsers + 1,
      rooms: before.rooms + 1,
      messages: before.messages + 1,
      tokenDenials: before.tokenDenials + 1,
    });
  });
});
