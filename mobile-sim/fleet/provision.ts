/**
 * Sets up a fleet through the admin REST API only (docs/contract.md#rest): one user and device per
 * simulated phone, rooms with members spread so every room has at least two, and a device
 * token for each phone.
 */
import { randomInt, type Random } from '../../devtools/index.js';

export interface FleetPhone {
  userId: string;
  deviceId: string;
  token: string;
  rooms: string[];
}

export interface FleetLayout {
  phones: FleetPhone[];
  rooms: string[];
}

const PARALLEL_REQUESTS = 16;

export async function provisionFleet(
  api: { url: string; adminToken: string },
  options: { phones: number; rooms: number; roomsPerPhone: number; random: Random },
): Promise<FleetLayout> {
  if (options.phones < 2 * options.rooms)
    throw new RangeError(`need at least two phones per room (${options.phones} phones, ${options.rooms} rooms)`);
  const call = adminCaller(api);
  const userIds = await inParallel(
    range(options.phones),
    async (i) => (await call<{ id: string }>('POST', '/v1/users', { name: `phone-${i}` })).id,
  );
  const membersByRoom = assignRooms(options.phones, options.rooms, Math.min(options.roomsPerPhone, options.rooms), options.random);
  const rooms = await inParallel(membersByRoom, async (members, r) => {
    const body = { name: `room-${r}`, kind: 'group', members: members.map((i) => userIds[i]!) };
    return (await call<{ id: string }>('POST', '/v1/rooms', body)).id;
  });
  const phones = await inParallel(userIds, async (userId, i) => {
    const deviceId = 'phone';
    const { token } = await call<{ token: string }>('POST', '/v1/tokens', { userId, deviceId });
    const phoneRooms = membersByRoom.flatMap((members, r) => (members.includes(i) ? [rooms[r]!] : []));
    return { userId, deviceId, token, rooms: phoneRooms };
  });
  return { phones, rooms };
}

/** Room index → phone indexes: each phone in `roomsPerPhone` distinct rooms, every room with ≥ 2 phones. */
export function assignRooms(phones: number, rooms: number, roomsPerPhone: number, random: Random): number[][] {
  const members: number[][] = Array.from({ length: rooms }, () => []);
  for (let phone = 0; phone < phones; phone++) {
    // The first two rounds of phones fill every room twice; the rest land at random.
    const chosen = new Set<number>(phone < 2 * rooms ? [phone % rooms] : []);
    while (chosen.size < roomsPerPhone) chosen.add(randomInt(random, 0, rooms - 1));
    for (const room of chosen) members[room]!.push(phone);
  }
  return members;
}

function adminCaller(api: { url: string; adminToken: string }) {
  return async <T>(method: string, path: string, body: unknown): Promise<T> => {
    const response = await fetch(`${api.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${api.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  };
}

async function inParallel<T, R>(items: readonly T[], work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_REQUESTS, items.length) }, worker));
  return results;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
