/**
 * The contract every database behind the `Db` port must satisfy, run by one short file per
 * backend (PGlite, PostgreSQL), in the manner of aedes-persistence's abstract tests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../../schema/migrations.js';
import {
  addMember,
  appendSends,
  createRoom,
  createUser,
  getHistory,
  getMembership,
  getRoom,
  isMember,
  migrate,
  readMigrations,
  getReadSeq,
  recordReadMarks,
  removeMember,
  sharedRoomIds,
  sharesRoom,
  truncateHistory,
  updateRoomMetadata,
  type Db,
  type PendingSend,
} from '../../store/index.js';

export function describeStoreContract(name: string, open: () => Promise<{ db: Db; close: () => Promise<void> }>): void {
  describe(`store contract: ${name}`, () => {
    let db: Db;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ db, close } = await open());
    });
    afterAll(async () => close());

    const send = (over: Partial<PendingSend> & Pick<PendingSend, 'roomId' | 'senderId' | 'clientMsgId'>): PendingSend => ({
      senderDevice: 'phone',
      roomVersion: 1,
      contentType: 'text/plain',
      body: new TextEncoder().encode(`body of ${over.clientMsgId}`),
      ...over,
    });

    async function roomWith(memberCount: number) {
      const users = await Promise.all(Array.from({ length: memberCount }, (_, i) => createUser(db, { name: `u${i}` })));
      const room = await createRoom(db, { kind: 'group', name: 'r', memberIds: users.map((u) => u.id) });
      return { room, users };
    }

    it('applies migrations once: a second run applies nothing', async () => {
      expect(await migrate(db, await readMigrations(MIGRATIONS_DIR))).toEqual([]);
    });

    it('creates a room whose members, version and empty history read back', async () => {
      const { room, users } = await roomWith(2);
      const read = await getRoom(db, room.id);
      expect(read).toMatchObject({ id: room.id, kind: 'group', lastSeq: 0, memberVersion: 1, metaVersion: 1 });
      expect(read?.memberIds.sort()).toEqual(users.map((u) => u.id).sort());
      expect(read?.epoch).toBeGreaterThan(0);
      expect(await getRoom(db, 'no-such-room')).toBeUndefined();
    });

    it('refuses a room naming an unknown user, and a direct room without exactly two members', async () => {
      const { users } = await roomWith(1);
      await expect(createRoom(db, { kind: 'group', name: 'x', memberIds: [users[0]!.id, 'ghost'] })).rejects.toMatchObject({
        code: 'ERR_USER_NOT_FOUND',
      });
      await expect(createRoom(db, { kind: 'direct', name: 'x', memberIds: [users[0]!.id] })).rejects.toMatchObject({
        code: 'ERR_ROOM_DIRECT_IMMUTABLE',
      });
    });

    it('bumps member_version on every effective membership change and only then', async () => {
      const { room, users } = await roomWith(1);
      const newcomer = await createUser(db, { name: 'new' });
      expect(await addMember(db, room.id, newcomer.id)).toEqual({ memberVersion: 2, changed: true });
      expect(await addMember(db, room.id, newcomer.id)).toEqual({ memberVersion: 2, changed: false });
      expect(await isMember(db, room.id, newcomer.id)).toBe(true);
      expect(await sharesRoom(db, users[0]!.id, newcomer.id)).toBe(true);
      expect(await removeMember(db, room.id, newcomer.id)).toEqual({ memberVersion: 3, changed: true });
      expect(await removeMember(db, room.id, newcomer.id)).toEqual({ memberVersion: 3, changed: false });
      expect(await isMember(db, room.id, newcomer.id)).toBe(false);
      await expect(addMember(db, 'no-such-room', newcomer.id)).rejects.toMatchObject({ code: 'ERR_ROOM_NOT_FOUND' });
    });

    it('lists the rooms two users share, up to a limit, and reads membership with the last seq', async () => {
      const { room, users } = await roomWith(2);
      const [a, b] = [users[0]!.id, users[1]!.id];
      const second = await createRoom(db, { kind: 'group', name: 'r2', memberIds: [a, b] });
      await createRoom(db, { kind: 'group', name: 'only a', memberIds: [a] });
      expect((await sharedRoomIds(db, a, b, 10)).sort()).toEqual([room.id, second.id].sort());
      expect(await sharedRoomIds(db, a, b, 1)).toHaveLength(1);
      await removeMember(db, second.id, b);
      expect(await sharedRoomIds(db, b, a, 10)).toEqual([room.id]);
      await appendSends(db, [send({ roomId: room.id, senderId: a, clientMsgId: 'm1' })], 1_700_000_000_000);
      expect(await getMembership(db, room.id)).toMatchObject({ memberVersion: 1, lastSeq: 1 });
      expect(await getMembership(db, 'no-such-room')).toBeUndefined();
    });

    it('assigns gapless seqs from 1 in batch order and stores bodies byte for byte', async () => {
      const { room, users } = await roomWith(2);
      const binary = new Uint8Array([0, 255, 1, 254, 0]);
      const { outcomes } = await appendSends(
        db,
        [
          send({ roomId: room.id, senderId: users[0]!.id, clientMsgId: 'a' }),
          send({ roomId: room.id, senderId: users[1]!.id, clientMsgId: 'b', body: binary }),
          send({ roomId: room.id, senderId: users[0]!.id, clientMsgId: 'c' }),
        ],
        1_700_000_000_000,
      );
      expect(outcomes.map((o) => (o.status === 'stored' ? o.message.seq : o.status))).toEqual([1, 2, 3]);
      const page = await getHistory(db, room.id, { after: 0, limit: 10 });
      expect(page.lastSeq).toBe(3);
      expect(page.epoch).toBe(room.epoch);
      expect(page.messages.map((m) => [m.seq, m.clientMsgId, m.senderId])).toEqual([
        [1, 'a', users[0]!.id],
        [2, 'b', users[1]!.id],
        [3, 'c', users[0]!.id],
      ]);
      expect([...page.messages[1]!.body]).toEqual([...binary]);
      expect(page.messages[0]!.sentAtMs).toBe(1_700_000_000_000);
    });

    it('answers a retried send, in a later batch or the same one, with the original seq', async () => {
      const { room, users } = await roomWith(1);
      const first = send({ roomId: room.id, senderId: users[0]!.id, clientMsgId: 'retry-me' });
      const [stored] = (await appendSends(db, [first], 1)).outcomes;
      const again = (await appendSends(db, [first, send({ roomId: room.id, senderId: users[0]!.id, clientMsgId: 'x' }), { ...first }], 2))
        .outcomes;
      expect(stored).toMatchObject({ status: 'stored', message: { seq: 1 } });
      expect(again.map((o) => [o.status, o.status === 'rejected' ? 0 : o.message.seq])).toEqual([
        ['duplicate', 1],
        ['stored', 2],
        ['duplicate', 2 - 1],
      ]);
      expect((await getHistory(db, room.id, { after: 0, limit: 10 })).messages).toHaveLength(2);
    });

    it('rejects sends to unknown rooms, from non-members and with a stale room version, storing nothing', async () => {
      const { room, users } = await roomWith(2);
      const outsider = await createUser(db, { name: 'outsider' });
      await addMember(db, room.id, outsider.id);
      await removeMember(db, room.id, outsider.id); // member_version is now 3
      const { outcomes } = await appendSends(
        db,
        [
          send({ roomId: 'no-such-room', senderId: users[0]!.id, clientMsgId: '1' }),
          send({ roomId: room.id, senderId: outsider.id, clientMsgId: '2', roomVersion: 3 }),
          send({ roomId: room.id, senderId: users[0]!.id, clientMsgId: '3', roomVersion: 1 }),
          send({ roomId: room.id, senderId: users[1]!.id, clientMsgId: '4', roomVersion: 3 }),
        ],
        1,
      );
      expect(outcomes).toEqual([
        { status: 'rejected', reason: 'ROOM_NOT_FOUND', roomVersion: 0 },
        { status: 'rejected', reason: 'NOT_MEMBER', roomVersion: 3 },
        { status: 'rejected', reason: 'STALE_ROOM_VERSION', roomVersion: 3 },
        expect.objectContaining({ status: 'stored', message: expect.objectContaining({ seq: 1, clientMsgId: '4' }) }),
      ]);
    });

    it('keeps seqs gapless when many batches for one room commit concurrently', async () => {
      const { room, users } = await roomWith(4);
      const batches = Array.from({ length: 20 }, (_, b) =>
        Array.from({ length: 5 }, (_, i) => send({ roomId: room.id, senderId: users[(b + i) % 4]!.id, clientMsgId: `${b}-${i}` })),
      );
      await Promise.all(batches.map((batch) => appendSends(db, batch, 1)));
      const page = await getHistory(db, room.id, { after: 0, limit: 500 });
      expect(page.messages.map((m) => m.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      expect(new Set(page.messages.map((m) => m.clientMsgId)).size).toBe(100);
    });

    it('pages history forwards with after/limit and backwards with before/limit, always ascending', async () => {
      const { room, users } = await roomWith(1);
      await appendSends(
        db,
        Array.from({ length: 10 }, (_, i) => send({ roomId: room.id, senderId: users[0]!.id, clientMsgId: `m${i}` })),
        1,
      );
      const seqs = async (q: Parameters<typeof getHistory>[2]) => (await getHistory(db, room.id, q)).messages.map((m) => m.seq);
      expect(await seqs({ after: 3, limit: 4 })).toEqual([4, 5, 6, 7]);
      expect(await seqs({ after: 8, limit: 4 })).toEqual([9, 10]);
      expect(await seqs({ before: 8, limit: 3 })).toEqual([5, 6, 7]);
      expect(await seqs({ after: 2, before: 6, limit: 10 })).toEqual([3, 4, 5]);
      await expect(getHistory(db, 'no-such-room', { limit: 1 })).rejects.toMatchObject({ code: 'ERR_ROOM_NOT_FOUND' });
    });

    it('answers gap-fill below the retention floor with ERR_HISTORY_TRUNCATED, never a shorter list', async () => {
      const { room, users } = await roomWith(1);
      await appendSends(
        db,
        Array.from({ length: 6 }, (_, i) => send({ roomId: room.id, senderId: users[0]!.id, clientMsgId: `t${i}` })),
        1,
      );
      await truncateHistory(db, room.id, 3);
      await expect(getHistory(db, room.id, { after: 1, limit: 10 })).rejects.toMatchObject({
        code: 'ERR_HISTORY_TRUNCATED',
        details: { historyFloor: 3 },
      });
      await expect(getHistory(db, room.id, { before: 4, limit: 10 })).rejects.toMatchObject({ code: 'ERR_HISTORY_TRUNCATED' });
      expect((await getHistory(db, room.id, { after: 3, limit: 10 })).messages.map((m) => m.seq)).toEqual([4, 5, 6]);
    });

    it('keeps the highest read seq per member, clamped to last_seq, and ignores non-members', async () => {
      const { room, users } = await roomWith(3);
      const outsider = await createUser(db, { name: 'outsider' });
      await appendSends(
        db,
        // Sent by a third member: a sender has read its own messages.
        [1, 2, 3].map((i) => send({ roomId: room.id, senderId: users[2]!.id, clientMsgId: `r${i}` })),
        1,
      );
      await recordReadMarks(db, [
        { roomId: room.id, userId: users[0]!.id, readSeq: 2 },
        { roomId: room.id, userId: users[1]!.id, readSeq: 99 },
        { roomId: room.id, userId: outsider.id, readSeq: 1 },
      ]);
      await recordReadMarks(db, [{ roomId: room.id, userId: users[0]!.id, readSeq: 1 }]);
      expect(await getReadSeq(db, room.id, users[0]!.id)).toBe(2);
      expect(await getReadSeq(db, room.id, users[1]!.id)).toBe(3);
      expect(await getReadSeq(db, room.id, outsider.id)).toBe(0);
    });

    it('updates metadata with an If-Match version only while it is current', async () => {
      const { room } = await roomWith(1);
      const updated = await updateRoomMetadata(db, room.id, { name: 'renamed' }, 1);
      expect(updated).toMatchObject({ name: 'renamed', metaVersion: 2 });
      await expect(updateRoomMetadata(db, room.id, { name: 'lost update' }, 1)).rejects.toMatchObject({
        code: 'ERR_ROOM_PRECONDITION_FAILED',
      });
      expect(await updateRoomMetadata(db, room.id, { description: 'last write wins' })).toMatchObject({ name: 'renamed', metaVersion: 3 });
      await expect(updateRoomMetadata(db, 'no-such-room', { name: 'x' })).rejects.toMatchObject({ code: 'ERR_ROOM_NOT_FOUND' });
    });
  });
}
