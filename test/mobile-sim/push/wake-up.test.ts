/**
 * The wake-up flow (docs/push.md#on-the-phone) against the whole platform with the APNs and FCM
 * stubs: a phone whose app is asleep gets a push, shows a placeholder, reconnects, fetches, and
 * only then shows the messages, exactly up to the pushed seq. The ghost race is driven on purpose
 * by handing the phone a push for a seq it has not fetched; the last test lets the simulated push
 * channel carry the stub's pushes by itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NotificationChange, type PushHandling, realClock } from '@mqtt-chat/sdk';
import { openPushChannel, pushDataOf, type PushChannel } from '../../../mobile-sim/push/push-channel.js';
import { createPushWokenPhone, type PushWokenPhone } from '../../../mobile-sim/push/push-woken-phone.js';
import { startTestPlatform, type TestPlatform } from '../../support/platform.js';
import { startPushStubs, type PushStubs } from '../../support/push-stubs.js';
import { createTestClient, FAST, WAIT_LIMIT_MS, type TestClient } from '../../sdk/support/sdk-client.js';

let platform: TestPlatform;
let stubs: PushStubs;
const closers: (() => void)[] = [];

beforeAll(async () => {
  // The providers' default request timeout: nothing here tests a hanging provider, and 1.5 s cut
  // ordinary requests on a loaded CI machine (a push then waited for its retry past the test's limit).
  stubs = await startPushStubs();
  platform = await startTestPlatform(
    { database: 'pglite', brokerState: 'memory' },
    { PUSH_ACK_TIMEOUT_MS: '1000', PUSH_POLL_MS: '100', RECEIPT_FLUSH_MS: '50' },
    { pushProviders: stubs.providers },
  );
});
afterAll(async () => {
  for (const close of closers.reverse()) close();
  await platform?.stop();
  await stubs?.close();
});

/** What the phone's app saw and did, in one order: deliveries from the SDK and lock-screen changes. */
type Happening = { kind: 'delivered'; roomId: string; seq: number } | NotificationChange;

interface TestPhone {
  phone: PushWokenPhone;
  timeline: Happening[];
  until(test: () => boolean, what: string): Promise<void>;
  visibleTexts(): string[];
}

function testPhone(userId: string, token: string): TestPhone {
  const timeline: Happening[] = [];
  let waiters: (() => void)[] = [];
  const happened = (happening: Happening) => {
    timeline.push(happening);
    for (const check of [...waiters]) check();
  };
  const phone = createPushWokenPhone(
    {
      clock: realClock,
      random: Math.random,
      messageDelivered: ({ roomId, seq }) => happened({ kind: 'delivered', roomId, seq }),
      notificationChanged: happened,
    },
    { ...FAST, mqttUrl: platform.endpoints.mqtt, apiUrl: platform.endpoints.api, userId, deviceId: 'phone', token },
  );
  closers.push(() => phone.sleep());
  const until = (test: () => boolean, what: string) =>
    new Promise<void>((resolve, reject) => {
      if (test()) return resolve();
      const timer = setTimeout(() => reject(new Error(`no ${what} within ${WAIT_LIMIT_MS} ms`)), WAIT_LIMIT_MS);
      const check = () => {
        if (!test()) return;
        clearTimeout(timer);
        waiters = waiters.filter((w) => w !== check);
        resolve();
      };
      waiters.push(check);
    });
  return { phone, timeline, until, visibleTexts: () => phone.notifications.visible().map((n) => n.text) };
}

/** Every message the lock screen showed had been delivered by the SDK before: no ghost, ever. */
function expectNoGhosts(timeline: Happening[]): void {
  timeline.forEach((happening, index) => {
    if (happening.kind !== 'shown' || happening.notification.kind !== 'message') return;
    const { roomId, seq } = happening.notification;
    const deliveredBefore = timeline.slice(0, index).some((h) => h.kind === 'delivered' && h.roomId === roomId && h.seq === seq);
    expect(deliveredBefore, `seq ${seq} shown before it was fetched`).toBe(true);
  });
}

async function chatPair(name: string) {
  const aliceId = await platform.createUser(`${name}-alice`);
  const bobId = await platform.createUser(`${name}-bob`);
  const room = await platform.createRoom([aliceId, bobId]);
  const alice = createTestClient({
    ...FAST,
    mqttUrl: platform.endpoints.mqtt,
    apiUrl: platform.endpoints.api,
    userId: aliceId,
    deviceId: 'phone',
    token: await platform.tokenFor(aliceId, 'phone'),
  });
  closers.push(() => alice.client.close());
  await alice.client.connect();
  await alice.untilSubscribed(room.id);
  return { room, alice, aliceId, bobId, bobJwt: await platform.tokenFor(bobId, 'phone') };
}

/**
 * Bob's phone: opened once (it registers its token and gets seq 1 in the app), then put to sleep.
 * Seq 1 is stored before the app opens, so the app gets it from its catch-up fetch and no fetch
 * is still on its way when it sleeps. The platform answers a fetch that arrives after the app
 * slept all the same, counts what it returned as delivered to the device, and sends no push for
 * it (it cannot know the answer went unread): when seq 1 came live first, a late catch-up
 * carried seq 2 and the push this test waits for was never sent.
 */
async function sleepingPhoneAfterFirstMessage(alice: TestClient, roomId: string, bobId: string, bobJwt: string, push: PushRegistration) {
  await alice.client.send(roomId, 'one');
  const bob = testPhone(bobId, bobJwt);
  bob.phone.openApp();
  await bob.phone.client()!.registerPushToken(push);
  await bob.until(() => bob.phone.storedLastSeq(roomId) === 1, 'seq 1 in the open app');
  bob.phone.sleep();
  return bob;
}
type PushRegistration = { platform: 'apns' | 'fcm'; token: string };

let tokenCounter = 0;
const apnsToken = () => `${(tokenCounter += 1).toString(16).padStart(8, '0')}${'cd'.repeat(28)}`;

describe('a phone woken by a push', () => {
  it('shows a placeholder for a seq it has not fetched, then exactly the fetched messages up to that seq, and drops stale and repeated pushes', async () => {
    const { room, alice, bobId, bobJwt } = await chatPair('ghost');
    const token = apnsToken();
    const bob = await sleepingPhoneAfterFirstMessage(alice, room.id, bobId, bobJwt, { platform: 'apns', token });
    for (const text of ['two', 'three', 'four']) await alice.client.send(room.id, text);
    const pushes = await stubs.apns.deliveries.waitFor(3, { token, timeoutMs: WAIT_LIMIT_MS });
    const pushFor = (seq: number) => pushDataOf(pushes.find((p) => pushDataOf(p)?.['seq'] === String(seq)))!;
    expect(pushes.map((p) => Number(pushDataOf(p)?.['seq'])).sort()).toEqual([2, 3, 4]); // one each, in whatever order the worker sent them

    // The push for 3 arrives first (pushes are not ordered), while the app holds only seq 1.
    expect(bob.phone.pushReceived(pushFor(3))).toBe('placeholder');
    expect(bob.visibleTexts()).toEqual(['New message']);
    await bob.until(() => bob.phone.storedLastSeq(room.id) === 4, 'the fetch of everything after seq 1');
    expect(bob.visibleTexts()).toEqual(['two', 'three']); // seq 4 was fetched too, but no push has announced it yet

    expect(bob.phone.pushReceived(pushFor(4))).toBe('shown'); // already fetched: shown at once
    expect(bob.phone.pushReceived(pushFor(2))).toBe('stale');
    expect(bob.phone.pushReceived(pushFor(3))).toBe('duplicate');
    expect(bob.visibleTexts()).toEqual(['two', 'three', 'four']);
    expect(bob.phone.notifications.badge()).toBe(4); // the server's unread count: seq 1 was seen in the app but never marked read

    const shown = bob.timeline.filter((h) => h.kind === 'shown');
    expect(shown[0]).toMatchObject({ notification: { kind: 'placeholder' } });
    expect(shown.filter((h) => h.notification.kind === 'placeholder')).toHaveLength(1);
    expectNoGhosts(bob.timeline);
  });

  it('withdraws what it showed, with the badge corrected, when the room is read on the laptop', async () => {
    const { room, alice, bobId, bobJwt } = await chatPair('retract');
    const token = apnsToken();
    const bob = await sleepingPhoneAfterFirstMessage(alice, room.id, bobId, bobJwt, { platform: 'apns', token });
    await alice.client.send(room.id, 'two');
    const [messagePush] = await stubs.apns.deliveries.waitFor(1, { token, timeoutMs: WAIT_LIMIT_MS });
    bob.phone.pushReceived(pushDataOf(messagePush)!);
    await bob.until(() => bob.visibleTexts().join() === 'two', 'the fetched message on the lock screen');

    const laptop: TestClient = createTestClient({
      ...FAST,
      mqttUrl: platform.endpoints.mqtt,
      apiUrl: platform.endpoints.api,
      userId: bobId,
      deviceId: 'laptop',
      token: await platform.tokenFor(bobId, 'laptop'),
    });
    closers.push(() => laptop.client.close());
    void laptop.client.connect();
    await laptop.until(() => laptop.client.lastSeq(room.id) === 2, 'the laptop caught up');
    laptop.client.markRead(room.id, 2);

    const [, retraction] = await stubs.apns.deliveries.waitFor(2, { token, timeoutMs: WAIT_LIMIT_MS });
    expect(pushDataOf(retraction)).toMatchObject({ type: 'retract', readSeq: '2' });
    expect(bob.phone.pushReceived(pushDataOf(retraction)!)).toBe('retracted');
    expect(bob.phone.notifications.visible()).toEqual([]);
    expect(bob.phone.notifications.badge()).toBe(0);
  });

  it('is woken through its push channel by the FCM stub, and shows the message only after fetching it', async () => {
    const { room, alice, bobId, bobJwt } = await chatPair('channel');
    const token = `fcm-channel:APA91b${'y'.repeat(120)}`;
    const bob = await sleepingPhoneAfterFirstMessage(alice, room.id, bobId, bobJwt, { platform: 'fcm', token });
    const handled: (PushHandling | undefined)[] = [];
    const channel: PushChannel = openPushChannel(
      { clock: realClock, pushed: (data) => handled.push(bob.phone.pushReceived(data)) },
      { stubUrl: stubs.fcm.url, token, pollWaitMs: 2_000 },
    );
    closers.push(() => channel.close());

    await alice.client.send(room.id, 'wake up');
    await bob.until(() => bob.visibleTexts().join() === 'wake up', 'the message on the lock screen');
    expect(handled).toEqual(['placeholder']);
    expect(bob.phone.client()?.status()).toMatchObject({ state: 'connected' });
    expectNoGhosts(bob.timeline);
  });
});
