/**
 * The admin tables on every database behind the `Db` port: the token deny list, pages of users
 * and rooms, user deletion (what it keeps and what it removes), and a sender's own read mark.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_DEVICES } from '../../schema/index.js';
import {
  addMember,
  appendSends,
  createRoom,
  createUser,
  deleteUser,
  denyTokens,
  getHistory,
  getReadSeq,
  getRoom,
  getUser,
  getUserRecord,
  listRooms,
  listUsers,
  platformCounts,
  readDeviceKeys,
  getPushToken,
  readTokenDenials,
  recordReadMarks,
  registerPushToken,
  replaceDeviceKeys,
  tokensNotBeforeMs,
  type Db,
  type PendingSend,
} from '../../store/index.js';

export function describeAdminStoreContract(name: string, open: () => Promise<{ db: Db; close: () => Promise<void> }>): void {
  describe(`admin store: ${name}`, () => {
    let db: Db;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ db, close } = await open());
    });
    afterAll(async () => close());

    /** Names unique to one test, so tests sharing the database can filter on them. */
    const tag = () => `t${randomBytes(4).toString('hex')}`;
    const send = (roomId: string, senderId: string, clientMsgId: string): PendingSend => ({
      roomId,
      senderId,
      senderDevice: 'phone',
      clientMsgId,
      roomVersion: 1,
      contentType: 'text/plain',
      body: new TextEncoder().encode(clientMsgId),
    });

    it('keeps the later not-before of a device, and answers the later of the device and its user', async () => {
      const userId = (await createUser(db, { name: 'revoked' })).id;
      expect(await tokensNotBeforeMs(db, userId, 'phone')).toBe(0);
      await denyTokens(db, { userId, deviceId: 'phone', notBeforeMs: 2_000 });
      expect(await denyTokens(db, { userId, deviceId: 'phone', notBeforeMs: 1_000 })).toMatchObject({ notBeforeMs: 2_000 });
      expect(await tokensNotBeforeMs(db, userId, 'phone')).toBe(2_000);
      expect(await tokensNotBeforeMs(db, userId, 'laptop')).toBe(0);
      await denyTokens(db, { userId, deviceId: ALL_DEVICES, notBeforeMs: 3_000 });
      expect(await tokensNotBeforeMs(db, userId, 'laptop')).toBe(3_000);
      expect(await tokensNotBeforeMs(db, userId, 'phone')).toBe(3_000);
    });

    it('reads the deny list whole, then only the rows changed since a time on the database clock', async () => {
      const userId = (await createUser(db, { name: 'cursor' })).id;
      await denyTokens(db, { userId, deviceId: 'old', notBeforeMs: 1 });
      // A read whose clock is past the millisecond 'old' was recorded in: the cursor takes rows at
      // its own millisecond too (>=, so none is ever missed), which would include 'old' again.
      const recordedBy = (await readTokenDenials(db)).readAtMs;
      let first = await readTokenDenials(db);
      while (first.readAtMs <= recordedBy) first = await readTokenDenials(db);
      expect(first.denials).toContainEqual({ userId, deviceId: 'old', notBeforeMs: 1 });
      const later = await readTokenDenials(db, first.readAtMs + 1);
      expect(later.denials.filter((d) => d.userId === userId)).toEqual([]);
      await denyTokens(db, { userId, deviceId: 'new', notBeforeMs: 5 });
      const changed = await readTokenDenials(db, first.readAtMs);
      expect(changed.denials.filter((d) => d.userId === userId)).toEqual([{ userId, deviceId: 'new', notBeforeMs: 5 }]);
      expect(changed.readAtMs).toBeGreaterThanOrEqual(first.readAtMs);
    });

    it('pages users in id order with a case-insensitive name prefix and the total of every page', async () => {
      const prefix = tag();
      const ids = [];
      for (let i = 0; i < 5; i += 1) ids.push((await createUser(db, { name: `${prefix.toUpperCase()} user ${i}` })).id);
      await createUser(db, { name: `other ${prefix}` });
      const first = await listUsers(db, { limit: 2, namePrefix: prefix, deleted: 'exclude' });
      expect(first.total).toBe(5);
      expect(first.users).toHaveLength(2);
      const second = await listUsers(db, { limit: 2, namePrefix: prefix, deleted: 'exclude', after: first.nextAfter! });
      const third = await listUsers(db, { limit: 2, namePrefix: prefix, deleted: 'exclude', after: second.nextAfter! });
      expect(third.nextAfter).toBeUndefined();
      expect([...first.users, ...second.users, ...third.users].map((u) => u.id)).toEqual([...ids].sort());
    });

    it('counts the rooms of each user and leaves deleted users out unless asked', async () => {
      const prefix = tag();
      const [kept, gone] = [await createUser(db, { name: `${prefix} kept` }), await createUser(db, { name: `${prefix} gone` })];
      await createRoom(db, { kind: 'group', name: 'r', memberIds: [kept.id, gone.id] });
      await deleteUser(db, gone.id, 5_000);
      const listed = (deleted: 'exclude' | 'include' | 'only') => listUsers(db, { limit: 10, namePrefix: prefix, deleted });
      expect((await listed('exclude')).users).toMatchObject([{ id: kept.id, roomCount: 1, deletedAtMs: null }]);
      expect((await listed('only')).users).toEqual([]); // a deleted user's name is erased: no prefix matches it
      expect(await getUserRecord(db, gone.id)).toMatchObject({ name: '', deletedAtMs: 5_000, roomCount: 0 });
      expect((await listUsers(db, { limit: 500, deleted: 'only' })).users.map((u) => u.id)).toContain(gone.id);
    });

    it('pages every room with filters by name prefix, kind and member, and counts members', async () => {
      const prefix = tag();
      const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((n) => createUser(db, { name: n })));
      const group = await createRoom(db, { kind: 'group', name: `${prefix} group`, memberIds: [a!.id, b!.id, c!.id] });
      const direct = await createRoom(db, { kind: 'direct', name: `${prefix} direct`, memberIds: [a!.id, b!.id] });
      await createRoom(db, { kind: 'group', name: `other ${prefix}`, memberIds: [c!.id] });
      const all = await listRooms(db, { limit: 10, namePrefix: prefix });
      expect(all.total).toBe(2);
      expect(all.rooms.map((r) => [r.id, r.memberCount]).sort()).toEqual(
        [
          [group.id, 3],
          [direct.id, 2],
        ].sort(),
      );
      expect((await listRooms(db, { limit: 10, namePrefix: prefix, kind: 'direct' })).rooms.map((r) => r.id)).toEqual([direct.id]);
      expect((await listRooms(db, { limit: 10, memberId: c!.id })).total).toBe(2);
      const page = await listRooms(db, { limit: 1, namePrefix: prefix });
      expect(page.nextAfter).toBe(page.rooms[0]!.id);
      expect((await listRooms(db, { limit: 1, namePrefix: prefix, after: page.nextAfter! })).nextAfter).toBeUndefined();
    });

    it('deletes a user: tombstone, every room left with a version bump, history kept gapless, tokens denied, its data gone', async () => {
      const [gone, stays] = await Promise.all(['gone', 'stays'].map((n) => createUser(db, { name: n })));
      const group = await createRoom(db, { kind: 'group', name: 'g', memberIds: [gone!.id, stays!.id] });
      const direct = await createRoom(db, { kind: 'direct', name: 'd', memberIds: [gone!.id, stays!.id] });
      await appendSends(db, [send(group.id, stays!.id, 's1'), send(group.id, gone!.id, 'g1'), send(group.id, stays!.id, 's2')], 10);
      await registerPushToken(db, { userId: gone!.id, deviceId: 'phone', platform: 'fcm', token: `token-${tag()}`, registeredAtMs: 1 });
      const key = () => new Uint8Array([0x05, ...randomBytes(32)]);
      const signed = (keyId: number, bytes: Uint8Array) => ({ keyId, publicKey: bytes, signature: new Uint8Array(64) });
      await replaceDeviceKeys(
        db,
        { userId: gone!.id, deviceId: 'phone' },
        {
          registrationId: 1,
          identityKey: key(),
          signedPreKey: signed(1, key()),
          kyberLastResortPreKey: signed(2, new Uint8Array([0x08, ...randomBytes(1568)])),
          oneTimePreKeys: [{ keyId: 3, publicKey: key() }],
          kyberOneTimePreKeys: [],
        },
        1,
      );

      const deletion = await deleteUser(db, gone!.id, 7_000);

      expect(deletion).toMatchObject({ deletedAtMs: 7_000, deletedNow: true, pushTokensDeleted: 1, keyDevicesDeleted: 1 });
      expect(deletion.roomsLeft.map((r) => r.roomId).sort()).toEqual([group.id, direct.id].sort());
      for (const room of [group, direct]) {
        const now = await getRoom(db, room.id);
        expect(now?.memberIds).toEqual([stays!.id]);
        expect(now?.memberVersion).toBe(room.memberVersion + 1);
        expect(deletion.roomsLeft).toContainEqual({ roomId: room.id, memberVersion: room.memberVersion + 1 });
      }
      const history = await getHistory(db, group.id, { limit: 10 });
      expect(history.messages.map((m) => [m.seq, m.senderId])).toEqual([
        [1, stays!.id],
        [2, gone!.id],
        [3, stays!.id],
      ]);
      expect(await getUser(db, gone!.id)).toBeUndefined();
      expect(await getPushToken(db, gone!.id, 'phone')).toBeUndefined();
      expect(await readDeviceKeys(db, { userId: gone!.id, deviceId: 'phone' })).toBeUndefined();
      expect(await tokensNotBeforeMs(db, gone!.id, 'any-device')).toBe(7_000);
      await expect(addMember(db, group.id, gone!.id)).rejects.toMatchObject({ code: 'ERR_USER_NOT_FOUND' });
      await expect(createRoom(db, { kind: 'group', name: 'x', memberIds: [gone!.id] })).rejects.toMatchObject({
        code: 'ERR_USER_NOT_FOUND',
      });
    });

    it('deletes idempotently: again it changes nothing and says so; an unknown id is ERR_USER_NOT_FOUND', async () => {
      const user = await createUser(db, { name: 'twice' });
      await createRoom(db, { kind: 'group', name: 'r', memberIds: [user.id] });
      await deleteUser(db, user.id, 1_000);
      expect(await deleteUser(db, user.id, 2_000)).toMatchObject({ deletedAtMs: 1_000, deletedNow: false, roomsLeft: [] });
      await expect(deleteUser(db, 'no-such-user', 1)).rejects.toMatchObject({ code: 'ERR_USER_NOT_FOUND' });
    });

    it('leaves rooms in several transactions for a user in many rooms', async () => {
      const user = await createUser(db, { name: 'busy' });
      const rooms = [];
      for (let i = 0; i < 205; i += 1) rooms.push(await createRoom(db, { kind: 'group', name: `r${i}`, memberIds: [user.id] }));
      const deletion = await deleteUser(db, user.id, 1);
      expect(deletion.roomsLeft).toHaveLength(205);
      expect((await listRooms(db, { limit: 10, memberId: user.id })).total).toBe(0);
    });

    it("moves a sender's read mark to its own stored message, and nobody else's", async () => {
      const [alice, bob] = await Promise.all(['alice', 'bob'].map((n) => createUser(db, { name: n })));
      const room = await createRoom(db, { kind: 'group', name: 'r', memberIds: [alice!.id, bob!.id] });
      await appendSends(db, [send(room.id, bob!.id, 'b1'), send(room.id, alice!.id, 'a1'), send(room.id, bob!.id, 'b2')], 1);
      expect(await getReadSeq(db, room.id, alice!.id)).toBe(2);
      expect(await getReadSeq(db, room.id, bob!.id)).toBe(3);
      await recordReadMarks(db, [{ roomId: room.id, userId: alice!.id, readSeq: 3 }]);
      await appendSends(db, [send(room.id, bob!.id, 'b1')], 2); // a duplicate stores nothing and moves nothing
      expect(await getReadSeq(db, room.id, alice!.id)).toBe(3);
    });

    it('counts the platform for the admin', async () => {
      const before = await platformCounts(db);
      const user = await createUser(db, { name: 'counted' });
      const room = await createRoom(db, { kind: 'group', name: 'r', memberIds: [user.id] });
      await appendSends(db, [send(room.id, user.id, 'c1')], 1);
      await denyTokens(db, { userId: user.id, deviceId: 'phone', notBeforeMs: 1 });
      expect(await platformCounts(db)).toMatchObject({
        users: before.users + 1,
        rooms: before.rooms + 1,
        messages: before.messages + 1,
        tokenDenials: before.tokenDenials + 1,
      });
    });
  });
}
