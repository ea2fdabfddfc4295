/**
 * The push worker (push/worker.ts) on a real database and presence store, with providers that
 * record what they are asked to send and answer as scripted (stand-ins for APNs and FCM).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/log.js';
import { createMetrics } from '../../lib/metrics.js';
import { startPushWorker, type PushWorker, type PushWorkerOptions } from '../../push/index.js';
import {
  appendSends,
  createMemoryPresenceStore,
  createRoom,
  claimDueDeliveries,
  createUser,
  enqueueMessagePushes,
  getPushToken,
  listDeliveries,
  openDb,
  recordDeliveryMarks,
  recordReadMarks,
  registerPushToken,
  type Db,
  type PresenceStore,
} from '../../store/index.js';
import { observePush, type PushObserver } from '../support/push-observer.js';
import { createRecordingProvider, type RecordingProvider } from '../support/recording-provider.js';

const OPTIONS: PushWorkerOptions = {
  ackTimeoutMs: 400,
  pollMs: 50,
  concurrency: 4,
  requestTimeoutMs: 1_000,
  maxAttempts: 3,
  retryPolicy: { baseMs: 20, capMs: 100 },
};

let db: Db;
let presence: PresenceStore;
let apns: RecordingProvider;
let fcm: RecordingProvider;
let worker: PushWorker | undefined;
const unwritten = new Map<string, number>();

beforeAll(async () => {
  ({ db } = await openDb({}));
});
afterAll(async () => db?.close());
afterEach(async () => {
  await worker?.close();
  worker = undefined;
  unwritten.clear();
});

function start(options: Partial<PushWorkerOptions> = {}): PushWorker & PushObserver {
  apns = createRecordingProvider('apns');
  fcm = createRecordingProvider('fcm');
  presence = createMemoryPresenceStore();
  worker = startPushWorker(
    {
      db,
      presence,
      providers: new Map([
        ['apns', apns],
        ['fcm', fcm],
      ]),
      unwrittenSeenSeq: (roomId, userId) => unwritten.get(`${roomId}/${userId}`) ?? 0,
      log: silentLogger(),
      metrics: createMetrics(),
    },
    { ...OPTIONS, ...options },
  );
  return Object.assign(worker, observePush(worker));
}

async function room(names: string[], options: { encrypted?: boolean } = {}) {
  const users = await Promise.all(names.map((name) => createUser(db, { name })));
  const created = await createRoom(db, { kind: 'group', name: 'lunch', memberIds: users.map((u) => u.id), ...options });
  return { roomId: created.id, ids: users.map((u) => u.id) };
}

const register = async (userId: string, platform: 'apns' | 'fcm', deviceId = 'phone') => {
  const token = platform === 'apns' ? randomBytes(32).toString('hex') : `fcm-${randomBytes(24).toString('base64url')}`;
  await registerPushToken(db, { userId, deviceId, platform, token, registeredAtMs: Date.now() });
  return token;
};

async function say(roomId: string, senderId: string, text: string): Promise<number> {
  const { outcomes } = await appendSends(
    db,
    [
      {
        roomId,
        senderId,
        senderDevice: 'phone',
        clientMsgId: randomBytes(6).toString('hex'),
        roomVersion: 1,
        contentType: 'text/plain',
        body: new TextEncoder().encode(text),
      },
    ],
    Date.now(),
  );
  const outcome = outcomes[0]!;
  if (outcome.status !== 'stored') throw new Error(`not stored: ${outcome.status}`);
  worker?.wake();
  return outcome.message.seq;
}

describe('push worker', () => {
  it('pushes an offline member once per message with sender, preview and badge; never the sender or members without a token', async () => {
    const w = start();
    const { roomId, ids } = await room(['Alice', 'Bob', 'Carol']);
    const [alice, bob] = ids as [string, string];
    await register(alice, 'fcm');
    const bobToken = await register(bob, 'apns');
    const first = await say(roomId, alice, 'Lunch at noon?');
    const second = await say(roomId, alice, 'Or one?');
    await Promise.all([w.planned(roomId, first), w.planned(roomId, second)]);
    await w.settled((e) => e.delivery.seq === second && e.settlement.status === 'sent');
    await w.settled((e) => e.delivery.seq === first && e.settlement.status === 'sent');
    const sent = apns.sent;
    expect(sent.map((m) => [m.token, m.type, m.alert, m.badge, m.data['seq']])).toEqual([
      [bobToken, 'alert', { title: 'Alice', body: 'Lunch at noon?' }, 2, '1'],
      [bobToken, 'alert', { title: 'Alice', body: 'Or one?' }, 2, '2'],
    ]);
    expect(sent[0]).toMatchObject({
      collapseKey: `room:${roomId}`,
      data: { type: 'message', roomId, dedupKey: `${roomId}:1:${bob}:phone` },
    });
    expect(fcm.sent).toEqual([]); // alice's token: she sent them
    expect((await listDeliveries(db, roomId)).map((d) => [d.seq, d.userId, d.status])).toEqual([
      [1, bob, 'sent'],
      [2, bob, 'sent'],
    ]);
  });

  it('gives a member who looks online until the ack deadline, then pushes it', async () => {
    const w = start();
    const { roomId, ids } = await room(['Alice', 'Bob']);
    const [alice, bob] = ids as [string, string];
    await register(bob, 'fcm');
    await presence.refresh(bob, 'laptop', 60_000);
    const seq = await say(roomId, alice, 'are you there?');
    const push = await w.settled((e) => e.delivery.roomId === roomId && e.settlement.status === 'sent');
    const { rows } = await db.query<{ sentAtMs: number }>('SELECT sent_at_ms AS "sentAtMs" FROM messages WHERE room_id = $1 AND seq = $2', [
      roomId,
      seq,
    ]);
    expect(push.atMs - Number(rows[0]!.sentAtMs)).toBeGreaterThanOrEqual(OPTIONS.ackTimeoutMs);
    expect(fcm.sent).toHaveLength(1);
  });

  it('pushes nobody a message their device acknowledged before the deadline, stored or still in memory', async () => {
    const w = start();
    const { roomId, ids } = await room(['Alice', 'Bob', 'Carol']);
    const [alice, bob, carol] = ids as [string, string, string];
    await register(bob, 'apns');
    await register(carol, 'fcm');
    await presence.refresh(bob, 'laptop', 60_000);
    await presence.refresh(carol, 'laptop', 60_000);
    const seq = await say(roomId, alice, 'hello');
    const done = w.planned(roomId, seq);
    await recordDeliveryMarks(db, [{ roomId, userId: bob, deliveredSeq: seq }]);
    unwritten.set(`${roomId}/${carol}`, seq);
    await done;
    expect([...apns.sent, ...fcm.sent]).toEqual([]);
    expect(await listDeliveries(db, roomId)).toEqual([]);
  });

  it('sends a data-only tickle for an end-to-end-encrypted room', async () => {
    start();
    const { roomId, ids } = await room(['Alice', 'Bob'], { encrypted: true });
    const [alice, bob] = ids as [string, string];
    await register(bob, 'fcm');
    await say(roomId, alice, 'ciphertext');
    const [tickle] = await fcm.waitForSent(1);
    expect(tickle).toMatchObject({ type: 'background', data: { type: 'message', roomId, seq: '1', badge: '1' } });
    expect(tickle!.alert).toBeUndefined();
    expect(JSON.stringify(tickle)).not.toContain('ciphertext');
  });

  it('deletes a token the provider calls dead, and sends nothing more to it', async () => {
    const w = start();
    const { roomId, ids } = await room(['Alice', 'Bob', 'Carol']);
    const [alice, bob, carol] = ids as [string, string, string];
    await register(bob, 'apns');
    await register(carol, 'fcm');
    apns.answer({ kind: 'token-dead', reason: 'Unregistered' });
    await say(roomId, alice, 'one');
    await w.settled((e) => e.delivery.userId === bob && e.settlement.status === 'dead');
    expect(await getPushToken(db, bob, 'phone')).toBeUndefined();
    const two = await say(roomId, alice, 'two');
    await w.planned(roomId, two);
    await fcm.waitForSent(2);
    expect(apns.sent).toHaveLength(1);
    expect((await listDeliveries(db, roomId)).filter((d) => d.userId === bob).map((d) => [d.seq, d.status])).toEqual([[1, 'dead']]);
  });

  it('retries no sooner than Retry-After, and gives up after PUSH_MAX_ATTEMPTS', async () => {
    const w = start({ maxAttempts: 3 });
    const { roomId, ids } = await room(['Alice', 'Bob', 'Carol']);
    const [alice, bob, carol] = ids as [string, string, string];
    await register(bob, 'apns');
    apns.answer({ kind: 'retry', reason: 'TooManyRequests', retryAfterMs: 300 });
    await say(roomId, alice, 'soon');
    const retried = await w.settled((e) => e.delivery.userId === bob && e.settlement.status === 'pending');
    const sent = await w.settled((e) => e.delivery.userId === bob && e.settlement.status === 'sent');
    expect(retried.settlement.nextAttemptAtMs! - retried.atMs).toBeGreaterThanOrEqual(299);
    expect(sent.atMs).toBeGreaterThanOrEqual(retried.settlement.nextAttemptAtMs!);

    await register(carol, 'fcm');
    const down = { kind: 'retry', reason: 'ServiceUnavailable' } as const;
    fcm.answer(down, down, down, { kind: 'delivered', providerId: 'never asked' });
    await say(roomId, alice, 'later');
    const failed = await w.settled((e) => e.delivery.userId === carol && e.settlement.status === 'failed');
    expect(failed.delivery.attempts).toBe(3);
    expect(fcm.sent).toHaveLength(3);
  });

  it('gives up, without sending, a push whose every claim ran out of lease with no outcome (nodes that died mid-send)', async () => {
    const { roomId, ids } = await room(['Alice', 'Bob']);
    const [alice, bob] = ids as [string, string];
    await register(bob, 'fcm');
    await say(roomId, alice, 'cursed');
    await db.transaction((tx) =>
      enqueueMessagePushes(tx, [{ roomId, seq: 1, userId: bob, deviceId: 'phone', platform: 'fcm', seenSeq: 0 }], Date.now()),
    );
    for (let dyingNode = 0; dyingNode < 3; dyingNode += 1) {
      // Each claim leases the row until a moment already past, as if the node died right after claiming.
      const nowMs = Date.now();
      await claimDueDeliveries(db, { platform: 'fcm', nowMs, leaseUntilMs: nowMs, limit: 1_000 });
    }
    const w = start({ maxAttempts: 3 });
    const failed = await w.settled((e) => e.delivery.userId === bob && e.settlement.status === 'failed');
    expect(failed.delivery.attempts).toBe(4);
    expect(failed.message).toBeUndefined();
    expect(fcm.sent.filter((m) => m.data['roomId'] === roomId)).toEqual([]);
  });

  it('keeps at most PUSH_CONCURRENCY pushes in flight per provider, and a hung provider does not hold up the other', async () => {
    const w = start({ concurrency: 2 });
    const { roomId, ids } = await room(['Alice', 'Bob', 'Carol', 'Dave', 'Erin', 'Frank']);
    const [alice, ...others] = ids as [string, ...string[]];
    for (const id of others.slice(0, 4)) await register(id, 'apns');
    const fcmUser = others[4]!;
    await register(fcmUser, 'fcm');
    let release: () => void = () => undefined;
    const hung = new Promise<{ kind: 'delivered'; providerId: string }>(
      (resolve) => (release = () => resolve({ kind: 'delivered', providerId: 'late' })),
    );
    apns.answer(hung, hung, hung, hung);
    await say(roomId, alice, 'everyone');
    await fcm.waitForSent(1); // FCM went on while APNs hung
    await w.settled((e) => e.delivery.userId === fcmUser && e.settlement.status === 'sent');
    expect(apns.inFlight()).toBe(2);
    release();
    await apns.waitForSent(4);
    expect(apns.maxInFlight()).toBe(2);
  });

  it('sends the pushes of one room to one device in seq order, one at a time (the last one is what the user sees)', async () => {
    const w = start({ concurrency: 8, pollMs: 600_000 }); // no poll: each finished push must hand the next its turn
    const { roomId, ids } = await room(['Alice', 'Bob']);
    const [alice, bob] = ids as [string, string];
    await register(bob, 'fcm');
    let release: () => void = () => undefined;
    fcm.answer(new Promise((resolve) => (release = () => resolve({ kind: 'delivered', providerId: 'first' }))));
    // One commit, so one planning batch and one claim: all three are handed to the drain at once.
    const burst = ['one', 'two', 'three'].map((text) => ({
      roomId,
      senderId: alice,
      senderDevice: 'phone',
      clientMsgId: text,
      roomVersion: 1,
      contentType: 'text/plain',
      body: new TextEncoder().encode(text),
    }));
    await appendSends(db, burst, Date.now());
    w.wake();
    await w.planned(roomId, 3);
    await fcm.waitForSent(1);
    expect(fcm.inFlight()).toBe(1); // the others wait behind the first
    release();
    const sent = await fcm.waitForSent(3);
    expect(sent.map((m) => m.data['seq'])).toEqual(['1', '2', '3']);
    expect(fcm.maxInFlight()).toBe(1);
  });

  it('lets a burst to one device hold one send slot, so while its first push hangs other members are still pushed', async () => {
    const w = start({ concurrency: 2, pollMs: 600_000 });
    const { roomId, ids } = await room(['Alice', 'Bob']);
    const [alice, bob] = ids as [string, string];
    await register(bob, 'fcm');
    let release: () => void = () => undefined;
    fcm.answer(new Promise((resolve) => (release = () => resolve({ kind: 'delivered', providerId: 'first' }))));
    for (const text of ['one', 'two', 'three']) await say(roomId, alice, text);
    await fcm.waitForSent(1);
    const other = await room(['Carol', 'Dave']);
    const [carol, dave] = other.ids as [string, string];
    await register(dave, 'fcm');
    await say(other.roomId, carol, 'meanwhile');
    const daves = await w.settled((e) => e.delivery.userId === dave && e.settlement.status === 'sent');
    expect(daves.delivery.seq).toBe(1);
    expect(fcm.sent.map((m) => m.data['roomId'])).toEqual([roomId, other.roomId]); // bob's next pushes wait, not in a slot
    release();
    const sent = await fcm.waitForSent(4);
    expect(sent.filter((m) => m.data['roomId'] === roomId).map((m) => m.data['seq'])).toEqual(['1', '2', '3']);
  });

  it('skips a queued push once the member received the message meanwhile (no stale push)', async () => {
    const w = start();
    const { roomId, ids } = await room(['Alice', 'Bob']);
    const [alice, bob] = ids as [string, string];
    await register(bob, 'apns');
    apns.answer({ kind: 'retry', reason: 'ServiceUnavailable', retryAfterMs: 300 });
    const seq = await say(roomId, alice, 'hi');
    await w.settled((e) => e.delivery.userId === bob && e.settlement.status === 'pending');
    await recordDeliveryMarks(db, [{ roomId, userId: bob, deliveredSeq: seq }]); // bob came online and got it
    const skipped = await w.settled((e) => e.delivery.userId === bob && e.settlement.status !== 'pending');
    expect(skipped.settlement).toMatchObject({ status: 'skipped', outcome: 'already received' });
    expect(apns.sent).toHaveLength(1);
  });

  it('withdraws a shown notification with a silent push once the room is read, carrying the corrected badge', async () => {
    const w = start();
    const { roomId, ids } = await room(['Alice', 'Bob']);
    const [alice, bob] = ids as [string, string];
    const phone = await register(bob, 'apns', 'phone');
    const tablet = await register(bob, 'fcm', 'tablet');
    const seq = await say(roomId, alice, 'read me');
    await apns.waitForSent(1);
    await fcm.waitForSent(1);
    await w.settled((e) => e.delivery.deviceId === 'tablet' && e.settlement.status === 'sent');
    await w.settled((e) => e.delivery.deviceId === 'phone' && e.settlement.status === 'sent');
    await recordReadMarks(db, [{ roomId, userId: bob, readSeq: seq }]); // read on a third device
    w.wake();
    const [, retractApns] = await apns.waitForSent(2);
    const [, retractFcm] = await fcm.waitForSent(2);
    for (const [push, token] of [
      [retractApns, phone],
      [retractFcm, tablet],
    ] as const) {
      expect(push).toMatchObject({
        token,
        type: 'background',
        badge: 0,
        data: { type: 'retract', roomId, readSeq: String(seq), badge: '0' },
      });
    }
  });
});
