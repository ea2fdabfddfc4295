/**
 * The members of bench:signals' two rooms: on the platform, real users, device tokens and
 * rooms made through its admin REST API (docs/contract.md#rest); on the plain Aedes baseline,
 * made-up ids of the same length (lib/ids.ts), since nobody checks them there. The small room's
 * members are the large room's first ones, so one connection per member serves both rooms.
 */
import { newId } from '../lib/ids.js';
import { deviceClientId, typingTopic } from '../schema/index.js';
import type { DeviceSpec } from './signals-fleet.js';

/** The members' devices, which receive; the typist publishes from other devices of member 0. */
export const MEMBER_DEVICE_ID = 'bench';
/** How many requests are in flight at once while the users and tokens are made. */
const REST_CONCURRENCY = 8;

export interface Member {
  userId: string;
  /** Token of the member's MEMBER_DEVICE_ID device; empty on the baseline. */
  token: string;
}

export interface RoomsFixture {
  smallRoomId: string;
  largeRoomId: string;
  /** All members of the large room; the first `smallRoomMembers` are the small room's too. */
  members: Member[];
  smallRoomMembers: number;
  /** A token for another device of a member; empty on the baseline. */
  deviceToken(userId: string, deviceId: string): Promise<string>;
}

export interface RoomSizes {
  small: number;
  large: number;
}

export function plainFixture(sizes: RoomSizes): RoomsFixture {
  const members = Array.from({ length: sizes.large }, () => ({ userId: newId(), token: '' }));
  return { smallRoomId: newId(), largeRoomId: newId(), members, smallRoomMembers: sizes.small, deviceToken: async () => '' };
}

export async function platformFixture(
  api: { url: string; adminToken: string },
  sizes: RoomSizes,
  onProgress: (usersMade: number) => void,
): Promise<RoomsFixture> {
  const post = async <T>(path: string, body: object): Promise<T> => {
    const response = await fetch(`${api.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status !== 201) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const deviceToken = async (userId: string, deviceId: string) => (await post<{ token: string }>('/v1/tokens', { userId, deviceId })).token;
  let made = 0;
  const members = await mapConcurrently(
    Array.from({ length: sizes.large }, (_, i) => i),
    REST_CONCURRENCY,
    async (i) => {
      const { id: userId } = await post<{ id: string }>('/v1/users', { name: `typist-${i}` });
      const token = await deviceToken(userId, MEMBER_DEVICE_ID);
      made += 1;
      if (made % 250 === 0) onProgress(made);
      return { userId, token };
    },
  );
  const room = (size: number) =>
    post<{ id: string }>('/v1/rooms', {
      name: `typing bench ${size}`,
      kind: 'group',
      members: members.slice(0, size).map((m) => m.userId),
    });
  const small = await room(sizes.small);
  const large = await room(sizes.large);
  return { smallRoomId: small.id, largeRoomId: large.id, members, smallRoomMembers: sizes.small, deviceToken };
}

/** `work` over `items` with at most `concurrency` running at once; results in input order. */
async function mapConcurrently<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return results;
}

/** The members' devices: each subscribes to the typing topic of the rooms it belongs to (the small room's members to both). */
export function fleetDevices(fixture: RoomsFixture, hasAuth: boolean): DeviceSpec[] {
  return fixture.members.map((member, i) => ({
    clientId: deviceClientId(member.userId, MEMBER_DEVICE_ID),
    ...(hasAuth ? { credentials: { username: member.userId, password: member.token } } : {}),
    topics:
      i < fixture.smallRoomMembers
        ? [typingTopic(fixture.smallRoomId), typingTopic(fixture.largeRoomId)]
        : [typingTopic(fixture.largeRoomId)],
  }));
}
