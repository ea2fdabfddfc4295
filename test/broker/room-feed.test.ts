/** The broker's feed of room state from the platform's own publications, on a real Aedes instance. */
import { Aedes } from 'aedes';
import { afterEach, describe, expect, it } from 'vitest';
import { createMembershipCache } from '../../broker/membership-cache.js';
import { createPresenceGuard } from '../../broker/presence-guard.js';
import { followRooms } from '../../broker/room-feed.js';
import { silentLogger } from '../../lib/log.js';
import { RoomEventKind, encodeMessage, encodeRoomEvent, roomEventTopic, roomTopic, type RoomEvent } from '../../schema/index.js';

const brokers: Aedes[] = [];
afterEach(async () => {
  await Promise.all(brokers.splice(0).map((b) => new Promise<void>((resolve) => b.close(() => resolve()))));
});

async function feed(rooms: Record<string, { memberIds: string[]; lastSeq: number }>) {
  const aedes = await Aedes.createBroker();
  brokers.push(aedes);
  // The clock stands still: no reread is ever due, so only what the feed teaches moves the last seq.
  const membership = createMembershipCache(
    { load: async (roomId) => (rooms[roomId] === undefined ? undefined : { memberVersion: 1, ...rooms[roomId] }) },
    { now: () => 0, lastSeqRefreshMs: 1_000 },
  );
  const presenceGuard = createPresenceGuard(
    {
      membership,
      sharedRoomIds: async (a, b) =>
        Object.entries(rooms)
          .filter(([, r]) => r.memberIds.includes(a) && r.memberIds.includes(b))
          .map(([id]) => id),
    },
    { roomsPerWatch: 8 },
  );
  await followRooms(aedes, { membership, presenceGuard, log: silentLogger() });
  const publish = (topic: string, payload: Uint8Array) =>
    new Promise<void>((resolve, reject) =>
      aedes.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain: false, dup: false }, (e) =>
        e ? reject(e) : resolve(),
      ),
    );
  return { membership, presenceGuard, publish };
}

const message = (roomId: string, seq: number) =>
  encodeMessage({
    roomId,
    seq,
    epoch: 1,
    senderId: 'alice',
    senderDevice: 'phone',
    clientMsgId: `m${seq}`,
    sentAtMs: 0,
    body: new Uint8Array(),
    contentType: 'text/plain',
  });
const event = (fields: Partial<RoomEvent> & Pick<RoomEvent, 'roomId' | 'kind'>): Uint8Array =>
  encodeRoomEvent({ memberVersion: 1, userId: '', actorId: '', metaVersion: 1, atMs: 0, ...fields });

describe('followRooms', () => {
  it('raises a cached room’s last seq from the Messages published on the broker', async () => {
    const { membership, publish } = await feed({ r1: { memberIds: ['alice'], lastSeq: 2 } });
    await membership.isMember('r1', 'alice');
    await publish(roomTopic('r1'), message('r1', 5));
    await expect(membership.clampReadSeq('r1', 9)).resolves.toBe(5);
  });

  it('applies membership RoomEvents, and hands gained rooms to the presence guard', async () => {
    const rooms = { r1: { memberIds: ['alice', 'bob'], lastSeq: 0 } };
    const { membership, presenceGuard, publish } = await feed(rooms);
    const connection = {};
    expect(await presenceGuard.watch(connection, 'bob', 'alice')).toBe(true);
    rooms.r1.memberIds = ['alice'];
    await publish(
      roomEventTopic('r1'),
      event({ roomId: 'r1', kind: RoomEventKind.ROOM_EVENT_KIND_MEMBER_REMOVED, memberVersion: 2, userId: 'bob' }),
    );
    expect(membership.cachedIsMember('r1', 'bob')).toBe(false);
    expect(presenceGuard.mayDeliver(connection, 'alice')).toBe(false);
    Object.assign(rooms, { r2: { memberIds: ['alice', 'bob'], lastSeq: 0 } });
    await publish(roomEventTopic('r2'), event({ roomId: 'r2', kind: RoomEventKind.ROOM_EVENT_KIND_CREATED }));
    await expect.poll(() => presenceGuard.mayDeliver(connection, 'alice')).toBe(true);
  });
});
