/**
 * The push tables as the store keeps them (store/push-*.ts), run against each database: the
 * outbox row written with its message, shared claims, retractions queued by reads, outcomes.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appendSends,
  claimDueDeliveries,
  deliveryClaimOf,
  claimDueOutbox,
  countPushBacklog,
  createRoom,
  createUser,
  enqueueMessagePushes,
  expandRetractions,
  getPushToken,
  listDeliveries,
  outboxTargets,
  recordDeliveryMarks,
  recordReadMarks,
  registerPushToken,
  removeFromOutbox,
  settleDeliveries,
  sweepDeliveries,
  type ClaimedDelivery,
  type Db,
  type PendingSend,
} from '../../store/index.js';

export function describeOutboxStore(name: string, open: () => Promise<{ db: Db; close: () => Promise<void> }>): void {
  describe(`push outbox store: ${name}`, () => {
    let db: Db;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ db, close } = await open());
    });
    afterAll(async () => close?.());

    const send = (roomId: string, senderId: string, clientMsgId = randomBytes(6).toString('hex')): PendingSend => ({
      roomId,
      senderId,
      senderDevice: 'phone',
      clientMsgId,
      roomVersion: 1,
      contentType: 'text/plain',
      body: new TextEncoder().encode(clientMsgId),
    });
    const register = (userId: string, deviceId = 'phone', platform: 'apns' | 'fcm' = 'apns', token = randomBytes(32).toString('hex')) =>
      registerPushToken(db, { userId, deviceId, platform, token, registeredAtMs: 1 }).then(() => token);

    async function room(names: string[]) {
      const users = await Promise.all(names.map((n) => createUser(db, { name: n })));
      const created = await createRoom(db, { kind: 'group', name: 'r', memberIds: users.map((u) => u.id) });
      return { roomId: created.id, ids: users.map((u) => u.id) };
    }

    /**
     * Resolves once a session of this database waits for an advisory lock (PostgreSQL). Polled:
     * a blocked lock raises no event. Raced against the work that should block, so a version
     * that does not lock finishes first instead of hanging.
     */
    async function untilBlockedOnRoomUserLock(): Promise<void> {
      for (;;) {
        const { rows } = await db.query<{ waiting: number }>(
          `SELECT count(*)::integer AS waiting FROM pg_locks
           WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        );
        if (Number(rows[0]?.waiting) > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }

    /** A door to the database whose next transaction does its work, reports it (`worked`), and commits only on `commit()`. */
    function holdingCommit(): { db: Db; worked: Promise<void>; commit(): void } {
      let reportWorked: () => void = () => undefined;
      const worked = new Promise<void>((resolve) => (reportWorked = resolve));
      let commit: () => void = () => undefined;
      const mayCommit = new Promise<void>((resolve) => (commit = resolve));
      const holding: Db = {
        ...db,
        transaction: (work) =>
          db.transaction(async (tx) => {
            const result = await work(tx);
            reportWorked();
            await mayCommit;
            return result;
          }),
      };
      return { db: holding, worked, commit };
    }

    async function outboxOf(roomId: string): Promise<number[]> {
      const { rows } = await db.query<{ seq: number }>('SELECT seq FROM push_outbox WHERE room_id = $1 ORDER BY seq', [roomId]);
      return rows.map((r) => Number(r.seq));
    }

    it('queues a message for push, in its own transaction, only when a member other than the sender has a token', async () => {
      const { roomId, ids } = await room(['alice', 'bob', 'carol']);
      const [alice, bob] = ids as [string, string];
      expect(await appendSends(db, [send(roomId, alice)], 1_000)).toMatchObject({ pushQueued: 0 });
      await register(alice); // the sender's own token does not make its message push-worthy
      expect(await appendSends(db, [send(roomId, alice)], 1_000)).toMatchObject({ pushQueued: 0 });
      await register(bob);
      const both = await appendSends(db, [send(roomId, alice), send(roomId, bob), send(roomId, alice)], 1_000);
      expect(both.pushQueued).toBe(3); // bob's own message goes to alice, who has a token too
      expect(await outboxOf(roomId)).toEqual([3, 4, 5]);
    });

    it('names every device with a token of every member but the sender, with what each has seen', async () => {
      const { roomId, ids } = await room(['alice', 'bob', 'carol']);
      const [alice, bob, carol] = ids as [string, string, string];
      await register(alice);
      await register(bob, 'phone', 'apns');
      await register(bob, 'tablet', 'fcm');
      await appendSends(db, [send(roomId, carol), send(roomId, carol)], 1_000);
      await recordReadMarks(db, [{ roomId, userId: bob, readSeq: 1 }]);
      await recordDeliveryMarks(db, [{ roomId, userId: alice, deliveredSeq: 2 }]);
      const items = await db.transaction((tx) => claimDueOutbox(tx, 1_000, 100));
      const mine = items.filter((i) => i.roomId === roomId);
      expect(mine).toEqual([
        { roomId, seq: 1, senderId: carol, sentAtMs: 1_000 },
        { roomId, seq: 2, senderId: carol, sentAtMs: 1_000 },
      ]);
      const targets = await db.transaction((tx) => outboxTargets(tx, mine, ['apns', 'fcm']));
      const summary = targets.map((t) => [t.seq, t.userId, t.deviceId, t.platform, t.seenSeq]).sort();
      expect(summary).toEqual(
        [
          [1, alice, 'phone', 'apns', 2],
          [1, bob, 'phone', 'apns', 1],
          [1, bob, 'tablet', 'fcm', 1],
          [2, alice, 'phone', 'apns', 2],
          [2, bob, 'phone', 'apns', 1],
          [2, bob, 'tablet', 'fcm', 1],
        ].sort(),
      );
      const apnsOnly = await db.transaction((tx) => outboxTargets(tx, mine, ['apns']));
      expect(apnsOnly.every((t) => t.platform === 'apns')).toBe(true);
      await db.transaction((tx) => removeFromOutbox(tx, mine));
      expect(await outboxOf(roomId)).toEqual([]);
    });

    it('records one delivery per (message, device) however often it is enqueued, and leases it when claimed', async () => {
      const { roomId, ids } = await room(['alice', 'bob']);
      const [alice, bob] = ids as [string, string];
      await register(bob, 'phone', 'fcm');
      await appendSends(db, [send(roomId, alice)], 1_000);
      const target = { roomId, seq: 1, userId: bob, deviceId: 'phone', platform: 'fcm' as const, seenSeq: 0 };
      await db.transaction((tx) => enqueueMessagePushes(tx, [target, target], 2_000));
      await db.transaction((tx) => enqueueMessagePushes(tx, [target], 2_000));
      expect(await listDeliveries(db, roomId)).toEqual([
        { roomId, seq: 1, kind: 'message', userId: bob, deviceId: 'phone', status: 'pending', attempts: 0, outcome: '' },
      ]);
      const claimed = await claimDueDeliveries(db, { platform: 'fcm', nowMs: 2_000, leaseUntilMs: 9_000, limit: 100 });
      expect(claimed.filter((c) => c.roomId === roomId)).toMatchObject([{ seq: 1, userId: bob, attempts: 1 }]);
      const again = await claimDueDeliveries(db, { platform: 'fcm', nowMs: 8_999, leaseUntilMs: 20_000, limit: 100 });
      expect(again.filter((c) => c.roomId === roomId)).toEqual([]); // leased
      const afterLease = await claimDueDeliveries(db, { platform: 'fcm', nowMs: 9_000, leaseUntilMs: 20_000, limit: 100 });
      expect(afterLease.filter((c) => c.roomId === roomId)).toMatchObject([{ seq: 1, attempts: 2 }]);
    });

    it('claims the pushes to one device about one room one at a time, lowest seq first, each once the one before is settled', async () => {
      const { roomId, ids } = await room(['alice', 'bob']);
      const [alice, bob] = ids as [string, string];
      await register(bob, 'phone', 'fcm');
      await register(bob, 'tablet', 'fcm');
      await appendSends(db, [send(roomId, alice), send(roomId, alice), send(roomId, alice)], 1_000);
      const to = (deviceId: string, seq: number) => ({ roomId, seq, userId: bob, deviceId, platform: 'fcm' as const, seenSeq: 0 });
      await db.transaction((tx) => enqueueMessagePushes(tx, [to('phone', 3), to('phone', 1), to('phone', 2), to('tablet', 1)], 1_000));
      const claim = async (nowMs: number) =>
        (await claimDueDeliveries(db, { platform: 'fcm', nowMs, leaseUntilMs: nowMs + 5_000, limit: 100 })).filter(
          (c) => c.roomId === roomId,
        );
      const deviceAndSeq = (claimed: ClaimedDelivery[]) => claimed.map((c) => [c.deviceId, c.seq]);

      const first = await claim(1_000);
      expect(deviceAndSeq(first)).toEqual([
        ['phone', 1],
        ['tablet', 1],
      ]);
      expect(await claim(1_000)).toEqual([]); // seq 2 waits behind the leased seq 1, whatever is free

      const phoneFirst = first.find((c) => c.deviceId === 'phone')!;
      await settleDeliveries(db, [{ ...deliveryClaimOf(phoneFirst), status: 'pending', outcome: 'retry', nextAttemptAtMs: 1_500 }], 1_100);
      expect(await claim(1_200)).toEqual([]); // a retry keeps its place: seq 2 must not overtake it
      const retried = await claim(1_500);
      expect(retried.map((c) => [c.deviceId, c.seq, c.attempts])).toEqual([['phone', 1, 2]]);
      await settleDeliveries(db, [{ ...deliveryClaimOf(retried[0]!), status: 'sent', outcome: 'ok' }], 1_600);
      expect(deviceAndSeq(await claim(1_600))).toEqual([['phone', 2]]);
    });

    it('sends a push planned after a higher seq of its device first, and the higher one after it', async () => {
      const { roomId, ids } = await room(['alice', 'bob']);
      const [alice, bob] = ids as [string, string];
      await register(bob, 'phone', 'fcm');
      await appendSends(db, [send(roomId, alice), send(roomId, alice)], 1_000);
      const to = (seq: number) => ({ roomId, seq, userId: bob, deviceId: 'phone', platform: 'fcm' as const, seenSeq: 0 });
      // Seq 1 waited for its ack deadline (bob looked online) while seq 2 was planned at once.
      await db.transaction((tx) => enqueueMessagePushes(tx, [to(2)], 1_000));
      await db.transaction((tx) => enqueueMessagePushes(tx, [to(1)], 1_000));
      const claim = async (nowMs: number) =>
        (await claimDueDeliveries(db, { platform: 'fcm', nowMs, leaseUntilMs: nowMs + 5_000, limit: 100 })).filter(
          (c) => c.roomId === roomId,
        );
      const [first] = await claim(1_000);
      expect(first).toMatchObject({ seq: 1 });
      expect(await claim(1_000)).toEqual([]);
      await settleDeliveries(db, [{ ...deliveryClaimOf(first!), status: 'sent', outcome: 'ok' }], 1_100);
      expect(await claim(1_100)).toMatchObject([{ seq: 2 }]);
    });

    it.runIf(name.includes('PostgreSQL'))(
      'gives the turn to a push recorded while the push before it is being settled (it is never left waiting for nobody)',
      async () => {
        const { roomId, ids } = await room(['alice', 'bob']);
        const [alice, bob] = ids as [string, string];
        await register(bob, 'phone', 'fcm');
        await appendSends(db, [send(roomId, alice), send(roomId, alice)], 1_000);
        const to = (seq: number) => ({ roomId, seq, userId: bob, deviceId: 'phone', platform: 'fcm' as const, seenSeq: 0 });
        await db.transaction((tx) => enqueueMessagePushes(tx, [to(1)], 1_000));
        const claim = async (nowMs: number) =>
          (await claimDueDeliveries(db, { platform: 'fcm', nowMs, leaseUntilMs: nowMs + 5_000, limit: 100 })).filter(
            (c) => c.roomId === roomId,
          );
        const [head] = await claim(1_000);
        // The settlement of seq 1 has run its statement (seeing no push behind it) but not committed.
        const settlement = holdingCommit();
        const settling = settleDeliveries(settlement.db, [{ ...deliveryClaimOf(head!), status: 'sent', outcome: 'ok' }], 1_100);
        await settlement.worked;
        const recording = db.transaction((tx) => enqueueMessagePushes(tx, [to(2)], 1_100));
        await Promise.race([recording, untilBlockedOnRoomUserLock()]); // seq 2 is recorded while seq 1's settlement is uncommitted
        settlement.commit();
        await Promise.all([settling, recording]);
        expect(await claim(1_200)).toMatchObject([{ seq: 2 }]);
      },
    );

    it('ignores an outcome of a claim whose lease ran out and whose row was claimed again', async () => {
      const { roomId, ids } = await room(['alice', 'bob']);
      const [alice, bob] = ids as [string, string];
      await register(bob, 'phone', 'fcm');
      await appendSends(db, [send(roomId, alice)], 1_000);
      await db.transaction((tx) =>
        enqueueMessagePushes(tx, [{ roomId, seq: 1, userId: bob, deviceId: 'phone', platform: 'fcm', seenSeq: 0 }], 1_000),
      );
      const claimAt = async (nowMs: number) =>
        (await claimDueDeliveries(db, { platform: 'fcm', nowMs, leaseUntilMs: nowMs + 1_000, limit: 100 })).find(
          (c) => c.roomId === roomId,
        )!;
      const slow = await claimAt(1_000);
      const retaken = await claimAt(2_000); // the first node's lease ran out: another node sends it again
      await settleDeliveries(db, [{ ...deliveryClaimOf(retaken), status: 'sent', outcome: 'second' }], 2_100);
      await settleDeliveries(db, [{ ...deliveryClaimOf(slow), status: 'pending', outcome: 'first, late', nextAttemptAtMs: 2_200 }], 2_150);
      expect(await listDeliveries(db, roomId)).toMatchObject([{ status: 'sent', attempts: 2, outcome: 'second' }]);
    });

    it('queues a retraction when a read passes a shown notification, and turns it into one silent push per showing device', async () => {
      const { roomId, ids } = await room(['alice', 'bob']);
      const [alice, bob] = ids as [string, string];
      await register(bob, 'phone', 'apns');
      await register(bob, 'tablet', 'fcm');
      await appendSends(db, [send(roomId, alice), send(roomId, alice), send(roomId, alice)], 1_000);
      const targets = (['phone', 'tablet'] as const).map((deviceId, i) => ({
        roomId,
        seq: 2,
        userId: bob,
        deviceId,
        platform: i === 0 ? ('apns' as const) : ('fcm' as const),
        seenSeq: 0,
      }));
      await db.transaction((tx) => enqueueMessagePushes(tx, targets, 2_000));
      const claimed = [
        ...(await claimDueDeliveries(db, { platform: 'apns', nowMs: 2_000, leaseUntilMs: 3_000, limit: 100 })),
        ...(await claimDueDeliveries(db, { platform: 'fcm', nowMs: 2_000, leaseUntilMs: 3_000, limit: 100 })),
      ].filter((c) => c.roomId === roomId);
      await settleDeliveries(
        db,
        claimed.map((c) => ({
          ...deliveryClaimOf(c),
          status: 'sent',
          outcome: 'ok',
          shown: { userId: bob, deviceId: c.deviceId, roomId, seq: 2 },
        })),
        2_100,
      );
      await recordReadMarks(db, [{ roomId, userId: bob, readSeq: 1 }]); // below what is shown: nothing to withdraw
      expect(await expandRetractions(db, { nowMs: 3_000, limit: 100, platforms: ['apns', 'fcm'] })).toBe(0);
      await recordReadMarks(db, [{ roomId, userId: bob, readSeq: 3 }]);
      expect(await expandRetractions(db, { nowMs: 3_000, limit: 100, platforms: ['apns', 'fcm'] })).toBe(2);
      const retractions = (await listDeliveries(db, roomId)).filter((d) => d.kind === 'retract');
      expect(retractions.map((d) => [d.seq, d.deviceId, d.status]).sort()).toEqual([
        [3, 'phone', 'pending'],
        [3, 'tablet', 'pending'],
      ]);
      await recordReadMarks(db, [{ roomId, userId: bob, readSeq: 3 }]); // nothing shown anymore
      expect(await expandRetractions(db, { nowMs: 3_000, limit: 100, platforms: ['apns', 'fcm'] })).toBe(0);
    });

    it('retracts a push that crossed the read: the read came first, the push was settled after it', async () => {
      const { roomId, ids } = await room(['alice', 'bob']);
      const [alice, bob] = ids as [string, string];
      await register(bob);
      await appendSends(db, [send(roomId, alice)], 1_000);
      await db.transaction((tx) =>
        enqueueMessagePushes(tx, [{ roomId, seq: 1, userId: bob, deviceId: 'phone', platform: 'apns', seenSeq: 0 }], 1_000),
      );
      const [claimed] = (await claimDueDeliveries(db, { platform: 'apns', nowMs: 1_000, leaseUntilMs: 2_000, limit: 100 })).filter(
        (c) => c.roomId === roomId,
      );
      await recordReadMarks(db, [{ roomId, userId: bob, readSeq: 1 }]);
      await settleDeliveries(
        db,
        [{ ...deliveryClaimOf(claimed!), status: 'sent', outcome: 'ok', shown: { userId: bob, deviceId: 'phone', roomId, seq: 1 } }],
        1_500,
      );
      expect(await expandRetractions(db, { nowMs: 2_000, limit: 100, platforms: ['apns'] })).toBe(1);
    });

    it.runIf(name.includes('PostgreSQL'))(
      'retracts a push settled while a read of it is still committing (neither misses the other under READ COMMITTED)',
      async () => {
        const { roomId, ids } = await room(['alice', 'bob']);
        const [alice, bob] = ids as [string, string];
        await register(bob);
        await appendSends(db, [send(roomId, alice)], 1_000);
        await db.transaction((tx) =>
          enqueueMessagePushes(tx, [{ roomId, seq: 1, userId: bob, deviceId: 'phone', platform: 'apns', seenSeq: 0 }], 1_000),
        );
        const [claimed] = (await claimDueDeliveries(db, { platform: 'apns', nowMs: 1_000, leaseUntilMs: 2_000, limit: 100 })).filter(
          (c) => c.roomId === roomId,
        );
        // The read's statement has run (and found nothing shown yet), but its transaction has not committed.
        const read = holdingCommit();
        const reading = recordReadMarks(read.db, [{ roomId, userId: bob, readSeq: 1 }]);
        await read.worked;
        const settling = settleDeliveries(
          db,
          [{ ...deliveryClaimOf(claimed!), status: 'sent', outcome: 'ok', shown: { userId: bob, deviceId: 'phone', roomId, seq: 1 } }],
          1_500,
        );
        await Promise.race([settling, untilBlockedOnRoomUserLock()]); // the push settles while the read is uncommitted
        read.commit();
        await Promise.all([reading, settling]);
        expect(await expandRetractions(db, { nowMs: 2_000, limit: 100, platforms: ['apns'] })).toBe(1);
      },
    );

    it('deletes a dead token only if the device still has it', async () => {
      const { ids } = await room(['bob']);
      const [bob] = ids as [string];
      const old = await register(bob, 'phone', 'fcm', 'old-token-0123456789');
      const noDelivery = { id: -1, attempts: 1, roomId: 'none', userId: bob }; // matches no row: only the token is touched
      await settleDeliveries(
        db,
        [{ ...noDelivery, status: 'dead', outcome: 'UNREGISTERED', deadToken: { userId: bob, deviceId: 'phone', token: 'another-token' } }],
        1,
      );
      expect(await getPushToken(db, bob, 'phone')).toMatchObject({ token: old });
      await settleDeliveries(
        db,
        [{ ...noDelivery, status: 'dead', outcome: 'UNREGISTERED', deadToken: { userId: bob, deviceId: 'phone', token: old } }],
        1,
      );
      expect(await getPushToken(db, bob, 'phone')).toBeUndefined();
    });

    it('counts the push backlog: outbox rows and pending pushes that are due, not those leased or due later', async () => {
      const { roomId, ids } = await room(['alice', 'bob']);
      const [alice, bob] = ids as [string, string];
      await register(bob, 'phone', 'fcm');
      // Other tests' rows stay where they are: compare counts at the same instants, before and after.
      const [earlyBefore, lateBefore] = [await countPushBacklog(db, 49_999), await countPushBacklog(db, 50_000)];
      await appendSends(db, [send(roomId, alice), send(roomId, alice)], 50_000);
      expect((await countPushBacklog(db, 50_000)).outbox - lateBefore.outbox).toBe(2);
      expect((await countPushBacklog(db, 49_999)).outbox - earlyBefore.outbox).toBe(0); // not due yet then
      const target = { roomId, userId: bob, deviceId: 'phone', platform: 'fcm' as const, seenSeq: 0 };
      await db.transaction((tx) =>
        enqueueMessagePushes(
          tx,
          [
            { ...target, seq: 1 },
            { ...target, seq: 2 },
          ],
          50_000,
        ),
      );
      expect((await countPushBacklog(db, 50_000)).deliveries - lateBefore.deliveries).toBe(2);
      // Claimed: leased past now, taken by a worker, so no longer backlog (seq 2 waits behind seq 1 and still is).
      const beforeClaim = await countPushBacklog(db, 50_000);
      const claimed = await claimDueDeliveries(db, { platform: 'fcm', nowMs: 50_000, leaseUntilMs: 60_000, limit: 100 });
      expect(claimed.filter((c) => c.roomId === roomId).map((c) => c.seq)).toEqual([1]);
      expect((await countPushBacklog(db, 50_000)).deliveries).toBe(beforeClaim.deliveries - claimed.length);
    });

    it('sweeps finished deliveries only once their message has left the outbox', async () => {
      const { roomId, ids } = await room(['alice', 'bob']);
      const [alice, bob] = ids as [string, string];
      await register(bob, 'phone', 'fcm');
      await appendSends(db, [send(roomId, alice)], 1_000);
      await db.transaction((tx) =>
        enqueueMessagePushes(tx, [{ roomId, seq: 1, userId: bob, deviceId: 'phone', platform: 'fcm', seenSeq: 0 }], 1_000),
      );
      const [claimed] = (await claimDueDeliveries(db, { platform: 'fcm', nowMs: 1_000, leaseUntilMs: 2_000, limit: 100 })).filter(
        (c) => c.roomId === roomId,
      );
      await settleDeliveries(db, [{ ...deliveryClaimOf(claimed!), status: 'sent', outcome: 'ok' }], 1_000);
      await sweepDeliveries(db, 5_000, 1_000);
      expect(await listDeliveries(db, roomId)).toHaveLength(1); // the outbox row still guards it
      await db.transaction((tx) => removeFromOutbox(tx, [{ roomId, seq: 1 }]));
      await sweepDeliveries(db, 5_000, 1_000);
      expect(await listDeliveries(db, roomId)).toEqual([]);
    });

    it.runIf(name.includes('PostgreSQL'))('lets two nodes claim the outbox at once without taking the same row (SKIP LOCKED)', async () => {
      const { roomId, ids } = await room(['alice', 'bob']);
      const [alice, bob] = ids as [string, string];
      await register(bob);
      await appendSends(
        db,
        Array.from({ length: 10 }, () => send(roomId, alice)),
        100,
      ); // due before every other test's rows
      let releaseFirst: () => void = () => undefined;
      const held = new Promise<void>((resolve) => (releaseFirst = resolve));
      let firstClaimed: (claimed: number[]) => void = () => undefined;
      const claimedByFirst = new Promise<number[]>((resolve) => (firstClaimed = resolve));
      const first = db.transaction(async (tx) => {
        firstClaimed((await claimDueOutbox(tx, 100, 4)).map((i) => i.seq));
        await held; // the first node is still working on its rows
      });
      const firstSeqs = await claimedByFirst;
      const second = await db.transaction(async (tx) => (await claimDueOutbox(tx, 100, 100)).map((i) => i.seq));
      releaseFirst();
      await first;
      expect(firstSeqs).toHaveLength(4);
      expect(second).toHaveLength(6);
      expect(new Set([...firstSeqs, ...second]).size).toBe(10);
    });
  });
}
