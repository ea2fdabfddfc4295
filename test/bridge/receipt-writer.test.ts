/** The receipt writer against a real (in-memory) database, counting the writes it makes (a transaction or a lone statement). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReceiptWriter } from '../../bridge/receipt-writer.js';
import { silentLogger } from '../../lib/log.js';
import { appendSends, createRoom, createUser, getReadSeq, openDb, type Db } from '../../store/index.js';

let db: Db;
let writes = 0;
const counting = (inner: Db): Db => ({
  ...inner,
  query: (sql, params) => {
    writes += 1;
    return inner.query(sql, params);
  },
  transaction: (work) => {
    writes += 1;
    return inner.transaction(work);
  },
});

beforeAll(async () => {
  ({ db } = await openDb({}));
});
afterAll(async () => db?.close());

/** Alice and bob in a new room where a third member has sent `count` messages (seqs 1..count): a sender has read its own. */
async function pairWithMessages(count: number) {
  const [alice, bob, sender] = await Promise.all(['a', 'b', 's'].map((name) => createUser(db, { name })));
  const room = await createRoom(db, { kind: 'group', name: 'r', memberIds: [alice!.id, bob!.id, sender!.id] });
  await appendSends(
    db,
    Array.from({ length: count }, (_, i) => ({
      roomId: room.id,
      senderId: sender!.id,
      senderDevice: 'd',
      clientMsgId: `m${i}`,
      roomVersion: 1,
      contentType: '',
      body: new Uint8Array(),
    })),
    1,
  );
  return { alice: alice!, bob: bob!, room };
}

describe('receipt writer', () => {
  it('turns a burst of receipts into one write that keeps the maximum per member', async () => {
    const { alice, bob, room } = await pairWithMessages(10);
    const writer = createReceiptWriter({ db: counting(db), log: silentLogger() }, { flushIntervalMs: 60_000, maxPending: 1000 });
    for (const readSeq of [1, 2, 5, 3, 4]) writer.record({ roomId: room.id, userId: bob.id, readSeq });
    for (const readSeq of [7, 6]) writer.record({ roomId: room.id, userId: alice.id, readSeq });
    writes = 0;
    await writer.flush();
    expect(writes).toBe(1);
    expect(await getReadSeq(db, room.id, bob.id)).toBe(5);
    expect(await getReadSeq(db, room.id, alice.id)).toBe(7);
    writer.record({ roomId: room.id, userId: bob.id, readSeq: 2 }); // an older receipt never lowers it
    await writer.flush();
    expect(await getReadSeq(db, room.id, bob.id)).toBe(5);
    await writer.close();
  });

  it('flushes early once maxPending marks wait', async () => {
    const user = await createUser(db, { name: 'c' });
    const rooms = await Promise.all([1, 2, 3].map(() => createRoom(db, { kind: 'group', name: 'r', memberIds: [user.id] })));
    writes = 0;
    const writer = createReceiptWriter({ db: counting(db), log: silentLogger() }, { flushIntervalMs: 60_000, maxPending: 3 });
    for (const room of rooms) writer.record({ roomId: room.id, userId: user.id, readSeq: 1 });
    await writer.close();
    expect(writes).toBe(1);
  });

  it('keeps marks whose write failed, still answering them, and writes them with the next flush', async () => {
    const { bob, room } = await pairWithMessages(5);
    let isDown = true;
    const lost = () => Promise.reject(new Error('connection lost'));
    const flaky: Db = {
      ...db,
      query: (sql, params) => (isDown ? lost() : db.query(sql, params)),
      transaction: (work) => (isDown ? lost() : db.transaction(work)),
    };
    const writer = createReceiptWriter({ db: flaky, log: silentLogger() }, { flushIntervalMs: 60_000, maxPending: 1000 });
    writer.record({ roomId: room.id, userId: bob.id, readSeq: 3 });
    await writer.flush();
    expect(await getReadSeq(db, room.id, bob.id)).toBe(0);
    expect(writer.peek(room.id, bob.id)).toBe(3); // the push worker still sees the read
    isDown = false;
    await writer.flush();
    expect(await getReadSeq(db, room.id, bob.id)).toBe(3);
    expect(writer.peek(room.id, bob.id)).toBe(0);
    await writer.close();
  });

  it('retries a failed write by itself after the flush interval, without a write per receipt meanwhile', async () => {
    const { bob, room } = await pairWithMessages(5);
    let attempts = 0;
    let failuresLeft = 1;
    const flaky: Db = {
      ...db,
      transaction: (work) => {
        attempts += 1;
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          return Promise.reject(new Error('connection lost'));
        }
        return db.transaction(work);
      },
    };
    let written: () => void = () => undefined;
    const isWritten = new Promise<void>((resolve) => (written = resolve));
    const writer = createReceiptWriter(
      { db: flaky, log: silentLogger(), onWritten: () => written() },
      { flushIntervalMs: 20, maxPending: 1 },
    );
    writer.record({ roomId: room.id, userId: bob.id, readSeq: 2 }); // maxPending 1: written at once, and fails
    await writer.flush();
    for (const readSeq of [3, 4, 5]) writer.record({ roomId: room.id, userId: bob.id, readSeq }); // the database is down: no write each
    expect(attempts).toBe(1);
    await isWritten;
    expect(attempts).toBe(2);
    expect(await getReadSeq(db, room.id, bob.id)).toBe(5);
    await writer.close();
  });
});
