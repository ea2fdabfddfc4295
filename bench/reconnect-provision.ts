/** The herd's users, rooms and device tokens, created through the platform's own admin API. */
import type { HerdClientSpec } from './reconnect-protocol.js';

const DEVICE_ID = 'phone';
/** Admin calls in flight at once while provisioning. */
const CONCURRENCY = 16;

async function admin<T>(apiUrl: string, token: string, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${apiUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function inParallel<T, R>(items: readonly T[], task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index]!);
      }
    }),
  );
  return results;
}

export async function provisionHerd(apiUrl: string, adminToken: string, clients: number, roomSize: number): Promise<HerdClientSpec[]> {
  const call = <T>(path: string, body: unknown) => admin<T>(apiUrl, adminToken, path, body);
  const userIds = await inParallel(
    Array.from({ length: clients }, (_, i) => i),
    async (i) => (await call<{ id: string }>('/v1/users', { name: `herd ${i}` })).id,
  );
  const tokens = await inParallel(
    userIds,
    async (userId) => (await call<{ token: string }>('/v1/tokens', { userId, deviceId: DEVICE_ID })).token,
  );
  const roomCount = Math.ceil(clients / roomSize);
  const rooms = await inParallel(
    Array.from({ length: roomCount }, (_, r) => userIds.slice(r * roomSize, (r + 1) * roomSize)),
    (members) => call<{ id: string; memberVersion: number }>('/v1/rooms', { name: 'herd', kind: 'group', members }),
  );
  return userIds.map((userId, i) => {
    const room = rooms[Math.floor(i / roomSize)]!;
    return { userId, deviceId: DEVICE_ID, token: tokens[i]!, roomId: room.id, roomVersion: room.memberVersion };
  });
}
