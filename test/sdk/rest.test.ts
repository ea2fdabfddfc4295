/** The SDK's REST client against the platform's API: GET /v1/rooms followed page by page. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRestClient, roomPages, type RoomsPage } from '../../sdk/src/rest.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform({ database: 'pglite', brokerState: 'memory' });
});
afterAll(async () => platform?.stop());

describe('REST client: rooms', () => {
  it('lists every room once by following nextAfter, a page of roomsPageLimit at a time', async () => {
    const userId = await platform.createUser('erin');
    const roomIds = (await Promise.all(Array.from({ length: 5 }, () => platform.createRoom([userId])))).map((room) => room.id);
    const token = await platform.tokenFor(userId, 'phone');
    const rest = createRestClient({ getToken: async () => token }, { apiUrl: platform.endpoints.api, roomsPageLimit: 2 });
    const pageSizes: number[] = [];
    for await (const page of roomPages(rest)) pageSizes.push(page.length);
    expect(pageSizes).toEqual([2, 2, 1]);
    expect((await rest.listRooms()).map((room) => room.id).sort()).toEqual([...roomIds].sort());
  });

  it('refuses an answer whose cursor comes back, instead of asking forever', async () => {
    const looping = { listRoomsPage: async (): Promise<RoomsPage> => ({ rooms: [], nextAfter: 'same' }) };
    const pages = async () => {
      for await (const page of roomPages(looping)) void page;
    };
    await expect(pages()).rejects.toMatchObject({ code: 'ERR_SDK_REST' });
  });
});
