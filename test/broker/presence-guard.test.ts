import { describe, expect, it } from 'vitest';
import { createMembershipCache, type MembershipChangeEvent } from '../../broker/membership-cache.js';
import { createPresenceGuard } from '../../broker/presence-guard.js';

/** Rooms in memory standing in for the database, behind the real membership cache. */
function world(rooms: Record<string, string[]>, roomsPerWatch = 8) {
  const table = new Map(Object.entries(rooms).map(([id, members]) => [id, { version: 1, members: new Set(members) }]));
  let sharedQueries = 0;
  const membership = createMembershipCache({
    load: async (roomId) => {
      const room = table.get(roomId);
      return room === undefined ? undefined : { memberVersion: room.version, memberIds: [...room.members], lastSeq: 0 };
    },
  });
  const guard = createPresenceGuard(
    {
      membership,
      sharedRoomIds: async (a, b, limit) => {
        sharedQueries += 1;
        return [...table]
          .filter(([, r]) => r.members.has(a) && r.members.has(b))
          .map(([id]) => id)
          .slice(0, limit);
      },
    },
    { roomsPerWatch },
  );
  /** Changes the table and delivers the RoomEvent the API would publish, as the broker does. */
  function change(roomId: string, userId: string, kind: MembershipChangeEvent['change']) {
    const room = table.get(roomId)!;
    room.version += 1;
    if (kind === 'added') room.members.add(userId);
    else room.members.delete(userId);
    membership.apply({ roomId, memberVersion: room.version, userId, change: kind });
    return kind === 'added' ? guard.roomGained(roomId, [userId]) : Promise.resolve();
  }
  function create(roomId: string, members: string[]) {
    table.set(roomId, { version: 1, members: new Set(members) });
    return guard.roomGained(roomId, members);
  }
  return { guard, change, create, sharedQueries: () => sharedQueries };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('createPresenceGuard', () => {
  it('grants a watch while the two users share a room, and refuses one when they do not', async () => {
    const { guard } = world({ r1: ['alice', 'bob'], r2: ['carol'] });
    const [bobs, carols] = [{}, {}];
    await expect(guard.watch(bobs, 'bob', 'alice')).resolves.toBe(true);
    await expect(guard.watch(carols, 'carol', 'alice')).resolves.toBe(false);
    expect(guard.mayDeliver(bobs, 'alice')).toBe(true);
    expect(guard.mayDeliver(carols, 'alice')).toBe(false);
    expect(guard.size).toBe(1); // a refused watch is not kept
  });

  it('stops delivering at the first delivery after the last shared room is left, not before', async () => {
    const { guard, change, sharedQueries } = world({ r1: ['alice', 'bob'], r2: ['alice', 'bob'] });
    const connection = {};
    await guard.watch(connection, 'bob', 'alice');
    const queries = sharedQueries();
    await change('r1', 'bob', 'removed');
    expect(guard.mayDeliver(connection, 'alice')).toBe(true); // r2 is still shared
    await change('r2', 'alice', 'removed');
    expect(guard.mayDeliver(connection, 'alice')).toBe(false);
    expect(sharedQueries()).toBe(queries); // decided from the cache alone
  });

  it('delivers again once the pair shares a room again: a member added back, or a new room', async () => {
    const { guard, change, create } = world({ r1: ['alice', 'bob'] });
    const [viaAdd, viaCreate] = [{}, {}];
    await guard.watch(viaAdd, 'bob', 'alice');
    await guard.watch(viaCreate, 'bob', 'alice');
    await change('r1', 'bob', 'removed');
    expect(guard.mayDeliver(viaAdd, 'alice')).toBe(false);
    expect(guard.mayDeliver(viaCreate, 'alice')).toBe(false);
    await change('r1', 'bob', 'added');
    expect(guard.mayDeliver(viaAdd, 'alice')).toBe(true);
    await change('r1', 'alice', 'removed');
    await create('r7', ['alice', 'bob', 'carol']);
    expect(guard.mayDeliver(viaCreate, 'alice')).toBe(true);
  });

  it('asks the store again when the candidate rooms it kept run out but the pair may share more', async () => {
    const { guard, change } = world({ r1: ['alice', 'bob'], r2: ['alice', 'bob'], r3: ['alice', 'bob'] }, 2);
    const connection = {};
    await guard.watch(connection, 'bob', 'alice');
    await change('r1', 'bob', 'removed');
    await change('r2', 'bob', 'removed');
    expect(guard.mayDeliver(connection, 'alice')).toBe(false); // the two it kept are gone: r3 is looked up
    await settle();
    await settle();
    expect(guard.mayDeliver(connection, 'alice')).toBe(true);
  });

  it('refuses a delivery on a connection that never had the watch granted, and forgets a closed connection', async () => {
    const { guard } = world({ r1: ['alice', 'bob'] });
    const [granted, other] = [{}, {}];
    await guard.watch(granted, 'bob', 'alice');
    await guard.watch(granted, 'bob', 'alice'); // a second SUBSCRIBE replaces the first watch
    expect(guard.size).toBe(1);
    expect(guard.mayDeliver(other, 'alice')).toBe(false);
    guard.connectionGone(granted);
    expect(guard.mayDeliver(granted, 'alice')).toBe(false);
    expect(guard.size).toBe(0);
  });
});
