/** GET /v1/rooms a page at a time: keyset pages by room id, nextAfter until null, default and maximum limits. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOMS_PAGE_DEFAULT_LIMIT, ROOMS_PAGE_MAX_LIMIT } from '../../api/schemas.js';
import { addMember, createRoom } from '../../store/index.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform({ database: 'pglite', brokerState: 'memory' });
});
afterAll(async () => platform?.stop());

async function userInRooms(name: string, count: number): Promise<{ token: string; roomIds: string[] }> {
  const userId = await platform.createUser(name);
  const roomIds: string[] = [];
  for (let i = 0; i < count; i += 1)
    roomIds.push((await createRoom(platform.db, { kind: 'group', name: `r${i}`, memberIds: [userId] })).id);
  return { token: await platform.tokenFor(userId, 'phone'), roomIds };
}

describe('GET /v1/rooms pages', () => {
  it('lists every room once across pages of `limit`, in id order, with nextAfter null on the last page', async () => {
    const { token, roomIds } = await userInRooms('paged', 7);
    const pages: { rooms: { id: string }[]; nextAfter: string | null }[] = [];
    let after: string | null = null;
    do {
      const r = await platform.as(token, 'GET', `/v1/rooms?limit=3${after === null ? '' : `&after=${after}`}`);
      expect(r.status).toBe(200);
      pages.push(r.json);
      after = r.json.nextAfter;
    } while (after !== null);
    expect(pages.map((p) => p.rooms.length)).toEqual([3, 3, 1]);
    const listed = pages.flatMap((p) => p.rooms.map((room) => room.id));
    expect(listed).toEqual([...roomIds].sort());
    expect(pages[0]!.nextAfter).toBe(listed[2]);
  });

  it(`answers ${ROOMS_PAGE_DEFAULT_LIMIT} rooms without a limit, at most ${ROOMS_PAGE_MAX_LIMIT} with one`, async () => {
    const { token } = await userInRooms('many', ROOMS_PAGE_DEFAULT_LIMIT + 1);
    const first = await platform.as(token, 'GET', '/v1/rooms');
    expect([first.json.rooms.length, typeof first.json.nextAfter]).toEqual([ROOMS_PAGE_DEFAULT_LIMIT, 'string']);
    const all = await platform.as(token, 'GET', `/v1/rooms?limit=${ROOMS_PAGE_MAX_LIMIT}`);
    expect([all.json.rooms.length, all.json.nextAfter]).toEqual([ROOMS_PAGE_DEFAULT_LIMIT + 1, null]);
  });

  it('does not shift pages when the user joins a room between them', async () => {
    const { token, roomIds } = await userInRooms('joiner', 4);
    const sorted = [...roomIds].sort();
    const first = await platform.as(token, 'GET', '/v1/rooms?limit=2');
    const joined = await createRoom(platform.db, { kind: 'group', name: 'late', memberIds: [] });
    const me = (await platform.as(token, 'GET', `/v1/rooms/${sorted[0]}`)).json.members[0];
    await addMember(platform.db, joined.id, me);
    const second = await platform.as(token, 'GET', `/v1/rooms?limit=10&after=${first.json.nextAfter}`);
    const seen = [...first.json.rooms, ...second.json.rooms].map((r: { id: string }) => r.id);
    expect(seen.filter((id) => roomIds.includes(id))).toEqual(sorted); // every earlier room exactly once
  });
});
