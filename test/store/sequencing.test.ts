import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dedupKey,
  memberKey,
  planBatch,
  type BatchPlan,
  type BatchSnapshot,
  type PendingSend,
  type RoomState,
} from '../../store/sequencing.js';
import type { Message } from '../../schema/index.js';

const ROOMS = ['r1', 'r2', 'r3'] as const;
const UNKNOWN_ROOM = 'gone';
const USERS = ['alice', 'bob', 'carol'] as const;
const NOW_MS = 1_700_000_000_000;

const roomStateArb: fc.Arbitrary<RoomState> = fc.record({
  lastSeq: fc.nat({ max: 1_000_000 }),
  memberVersion: fc.integer({ min: 1, max: 4 }),
  epoch: fc.integer({ min: 0, max: 3 }),
});

const roomsArb = fc
  .tuple(roomStateArb, roomStateArb, roomStateArb)
  .map((states) => new Map<string, RoomState>(ROOMS.map((roomId, i) => [roomId, states[i]!])));

/** A send's identity and content; the room version it carries is decided per property. */
const sendShapeArb = (roomIds: readonly string[]) =>
  fc.record({
    roomId: fc.constantFrom(...roomIds),
    senderId: fc.constantFrom(...USERS),
    // Few ids, so the same (room, sender, clientMsgId) recurs: retries and duplicates.
    clientMsgId: fc.constantFrom('m1', 'm2', 'm3', 'm4'),
    senderDevice: fc.constantFrom('phone', 'laptop'),
    contentType: fc.constant('text/plain'),
    body: fc.uint8Array({ maxLength: 4 }),
  });

const everyoneIsMember = new Set(ROOMS.flatMap((roomId) => USERS.map((userId) => memberKey(roomId, userId))));

/** Already stored messages for some keys, at distinct seqs up to the room's last_seq. */
const storedArb = (rooms: ReadonlyMap<string, RoomState>) =>
  fc.array(sendShapeArb(ROOMS), { maxLength: 6 }).map((shapes) => {
    const stored = new Map<string, Message>();
    const nextSeqDown = new Map<string, number>();
    for (const shape of shapes) {
      const room = rooms.get(shape.roomId)!;
      const seq = nextSeqDown.get(shape.roomId) ?? room.lastSeq;
      const key = dedupKey(shape);
      if (seq < 1 || stored.has(key)) continue;
      stored.set(key, { ...shape, seq, epoch: room.epoch, sentAtMs: 1 });
      nextSeqDown.set(shape.roomId, seq - 1);
    }
    return stored;
  });

/** Sends over the known rooms, all from members carrying the current room version. */
const validBatchArb = fc.tuple(roomsArb, fc.array(sendShapeArb(ROOMS), { maxLength: 40 })).chain(([rooms, shapes]) =>
  storedArb(rooms).map((stored) => {
    const sends: PendingSend[] = shapes.map((s) => ({ ...s, roomVersion: rooms.get(s.roomId)!.memberVersion }));
    const snapshot: BatchSnapshot = { rooms, members: everyoneIsMember, stored };
    return { sends, snapshot };
  }),
);

/** Sends that may name an unknown room, come from a non-member or carry a wrong version. */
const mixedBatchArb = fc
  .tuple(
    roomsArb,
    fc.subarray([...everyoneIsMember]),
    fc.array(fc.tuple(sendShapeArb([...ROOMS, UNKNOWN_ROOM]), fc.integer({ min: 1, max: 4 })), { maxLength: 40 }),
  )
  .chain(([rooms, members, shapes]) =>
    storedArb(rooms).map((stored) => {
      const sends: PendingSend[] = shapes.map(([s, roomVersion]) => ({ ...s, roomVersion }));
      const snapshot: BatchSnapshot = { rooms, members: new Set(members), stored };
      return { sends, snapshot };
    }),
  );

const storedSeqsByRoom = (plan: BatchPlan): Map<string, number[]> => {
  const byRoom = new Map<string, number[]>();
  for (const outcome of plan.outcomes) {
    if (outcome.status !== 'stored') continue;
    byRoom.set(outcome.message.roomId, [...(byRoom.get(outcome.message.roomId) ?? []), outcome.message.seq]);
  }
  return byRoom;
};

const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);

/** Asserts that stored seqs are gapless from last_seq + 1, in batch order, per room. */
function expectGaplessPerRoom(plan: BatchPlan, snapshot: BatchSnapshot): void {
  const byRoom = storedSeqsByRoom(plan);
  for (const [roomId, seqs] of byRoom) {
    const room = snapshot.rooms.get(roomId)!;
    expect(seqs).toEqual(range(room.lastSeq + 1, seqs.length));
    expect(plan.lastSeqs.get(roomId)).toBe(room.lastSeq + seqs.length);
  }
  expect([...plan.lastSeqs.keys()].sort()).toEqual([...byRoom.keys()].sort());
  expect(plan.inserts).toEqual(plan.outcomes.flatMap((o) => (o.status === 'stored' ? [o.message] : [])));
}

/** The snapshot the next transaction would read after `plan` committed. */
function afterCommit(snapshot: BatchSnapshot, plan: BatchPlan): BatchSnapshot {
  const rooms = new Map(snapshot.rooms);
  for (const [roomId, lastSeq] of plan.lastSeqs) rooms.set(roomId, { ...rooms.get(roomId)!, lastSeq });
  const stored = new Map(snapshot.stored);
  for (const message of plan.inserts) stored.set(dedupKey(message), message);
  return { rooms, members: snapshot.members, stored };
}

describe('planBatch', () => {
  it('stores the sends of members at gapless, strictly increasing seqs per room in batch order (property)', () => {
    fc.assert(
      fc.property(validBatchArb, ({ sends, snapshot }) => {
        const plan = planBatch(sends, snapshot, NOW_MS);
        expect(plan.outcomes).toHaveLength(sends.length);
        expect(plan.outcomes.every((o) => o.status !== 'rejected')).toBe(true);
        expectGaplessPerRoom(plan, snapshot);
      }),
    );
  });

  it('maps every duplicate to the message of its first occurrence (property)', () => {
    fc.assert(
      fc.property(validBatchArb, ({ sends, snapshot }) => {
        const plan = planBatch(sends, snapshot, NOW_MS);
        const first = new Map<string, Message>(snapshot.stored);
        plan.outcomes.forEach((outcome, i) => {
          const key = dedupKey(sends[i]!);
          const earlier = first.get(key);
          if (earlier === undefined) {
            expect(outcome.status).toBe('stored');
            if (outcome.status === 'stored') first.set(key, outcome.message);
          } else {
            expect(outcome).toEqual({ status: 'duplicate', message: earlier });
          }
        });
        // Every key is stored at most once.
        expect(new Set(plan.inserts.map(dedupKey)).size).toBe(plan.inserts.length);
      }),
    );
  });

  it('stores nothing new when its inserts are fed back and the same sends are planned again (property)', () => {
    fc.assert(
      fc.property(mixedBatchArb, ({ sends, snapshot }) => {
        const first = planBatch(sends, snapshot, NOW_MS);
        const again = planBatch(sends, afterCommit(snapshot, first), NOW_MS + 60_000);
        expect(again.inserts).toEqual([]);
        expect(again.lastSeqs.size).toBe(0);
        first.outcomes.forEach((outcome, i) => {
          if (outcome.status === 'rejected') return;
          expect(again.outcomes[i]).toEqual({ status: 'duplicate', message: outcome.message });
        });
      }),
    );
  });

  it('consumes no seq for rejected sends and rejects exactly those that break a rule (property)', () => {
    fc.assert(
      fc.property(mixedBatchArb, ({ sends, snapshot }) => {
        const plan = planBatch(sends, snapshot, NOW_MS);
        expectGaplessPerRoom(plan, snapshot);
        const seen = new Set(snapshot.stored.keys());
        plan.outcomes.forEach((outcome, i) => {
          const send = sends[i]!;
          const room = snapshot.rooms.get(send.roomId);
          const isDuplicate = seen.has(dedupKey(send));
          const isMember = snapshot.members.has(memberKey(send.roomId, send.senderId));
          if (isDuplicate) expect(outcome.status).toBe('duplicate');
          else if (room === undefined) expect(outcome).toEqual({ status: 'rejected', reason: 'ROOM_NOT_FOUND', roomVersion: 0 });
          else if (!isMember) expect(outcome).toEqual({ status: 'rejected', reason: 'NOT_MEMBER', roomVersion: room.memberVersion });
          else if (send.roomVersion !== room.memberVersion) {
            expect(outcome).toEqual({ status: 'rejected', reason: 'STALE_ROOM_VERSION', roomVersion: room.memberVersion });
          } else expect(outcome.status).toBe('stored');
          if (outcome.status === 'stored') seen.add(dedupKey(send));
        });
      }),
    );
  });

  it('builds the stored message from the send, the room epoch and the batch time', () => {
    const body = new Uint8Array([1, 2, 3]);
    const snapshot: BatchSnapshot = {
      rooms: new Map([['r1', { lastSeq: 41, memberVersion: 2, epoch: 3 }]]),
      members: new Set([memberKey('r1', 'alice')]),
      stored: new Map(),
    };
    const send: PendingSend = {
      roomId: 'r1',
      senderId: 'alice',
      senderDevice: 'phone',
      clientMsgId: 'm1',
      roomVersion: 2,
      contentType: 'text/plain',
      body,
    };
    const plan = planBatch([send], snapshot, NOW_MS);
    const expected: Message = {
      roomId: 'r1',
      seq: 42,
      epoch: 3,
      senderId: 'alice',
      senderDevice: 'phone',
      clientMsgId: 'm1',
      sentAtMs: NOW_MS,
      contentType: 'text/plain',
      body,
    };
    expect(plan.outcomes).toEqual([{ status: 'stored', message: expected }]);
    expect(plan.inserts).toEqual([expected]);
    expect(plan.lastSeqs).toEqual(new Map([['r1', 42]]));
  });

  it('gives a retry of a stored send its original seq even after the sender was removed and the version moved', () => {
    const original: Message = {
      roomId: 'r1',
      seq: 7,
      epoch: 0,
      senderId: 'bob',
      senderDevice: 'phone',
      clientMsgId: 'm1',
      sentAtMs: 1,
      contentType: 'text/plain',
      body: new Uint8Array(),
    };
    const snapshot: BatchSnapshot = {
      rooms: new Map([['r1', { lastSeq: 9, memberVersion: 5, epoch: 0 }]]),
      members: new Set(), // bob has been removed since
      stored: new Map([[dedupKey(original), original]]),
    };
    const retry: PendingSend = { ...original, roomVersion: 4 };
    const plan = planBatch([retry], snapshot, NOW_MS);
    expect(plan.outcomes).toEqual([{ status: 'duplicate', message: original }]);
    expect(plan.inserts).toEqual([]);
    expect(plan.lastSeqs.size).toBe(0);
  });

  it('keeps the same client message id from different senders or rooms apart', () => {
    const snapshot: BatchSnapshot = {
      rooms: new Map([
        ['r1', { lastSeq: 0, memberVersion: 1, epoch: 0 }],
        ['r2', { lastSeq: 0, memberVersion: 1, epoch: 0 }],
      ]),
      members: new Set([memberKey('r1', 'alice'), memberKey('r1', 'bob'), memberKey('r2', 'alice')]),
      stored: new Map(),
    };
    const base = { senderDevice: 'phone', clientMsgId: 'same', roomVersion: 1, contentType: 'text/plain', body: new Uint8Array() };
    const plan = planBatch(
      [
        { ...base, roomId: 'r1', senderId: 'alice' },
        { ...base, roomId: 'r1', senderId: 'bob' },
        { ...base, roomId: 'r2', senderId: 'alice' },
      ],
      snapshot,
      NOW_MS,
    );
    expect(plan.outcomes.map((o) => o.status)).toEqual(['stored', 'stored', 'stored']);
    expect(plan.outcomes.map((o) => (o.status === 'stored' ? o.message.seq : undefined))).toEqual([1, 2, 1]);
  });
});
