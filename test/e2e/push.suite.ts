/**
 * Push fallback end to end (docs/push.md#push-notifications): the whole platform, real MQTT devices
 * (and a raw half-open one), the real APNs and FCM clients, and the local stubs that speak both
 * wire APIs. Run by one file per backend combination.
 */
import { once } from 'node:events';
import net from 'node:net';
import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApnsDelivery, FcmDelivery } from '../../push-stubs/index.js';
import { deviceClientId, encodeReceipt, receiptTopic, roomTopic } from '../../schema/index.js';
import { getPushToken, listDeliveries } from '../../store/index.js';
import { TestDevice } from '../support/device.js';
import { startTestPlatform, type BackendChoice, type TestPlatform } from '../support/platform.js';
import { observePush, type PushObserver } from '../support/push-observer.js';
import { pushData, startPushStubs, type PushStubs } from '../support/push-stubs.js';

const ACK_TIMEOUT_MS = 1_000;
const POLL_MS = 200;
const REQUEST_TIMEOUT_MS = 1_500;
const WAIT_MS = 15_000;

export function describePushPath(name: string, choice: BackendChoice): void {
  describe(`push fallback: ${name}`, { timeout: 60_000 }, () => {
    let platform: TestPlatform;
    let stubs: PushStubs;
    let pushes: PushObserver;
    const closers: (() => Promise<unknown>)[] = [];

    beforeAll(async () => {
      stubs = await startPushStubs({ requestTimeoutMs: REQUEST_TIMEOUT_MS });
      platform = await startTestPlatform(
        choice,
        {
          PUSH_ACK_TIMEOUT_MS: String(ACK_TIMEOUT_MS),
          PUSH_POLL_MS: String(POLL_MS),
          PUSH_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
          RECEIPT_FLUSH_MS: '50',
        },
        { pushProviders: stubs.providers },
      );
      pushes = observePush(platform.push);
    });
    afterAll(async () => {
      for (const close of closers.reverse()) await close().catch(() => undefined);
      await platform?.stop();
      await stubs?.close();
    });

    let tokenCounter = 0;
    /** A user whose `phone` registered a push token (its own token's `did`), and that device's JWT. */
    async function member(name: string, platform_: 'apns' | 'fcm' | 'none' = 'none', deviceId = 'phone') {
      const id = await platform.createUser(name);
      const jwt = await platform.tokenFor(id, deviceId);
      tokenCounter += 1;
      const pushToken =
        platform_ === 'apns'
          ? `${tokenCounter.toString(16).padStart(8, '0')}${'ab'.repeat(28)}`
          : `fcm-${name}-${tokenCounter}:APA91b${'x'.repeat(120)}`;
      if (platform_ !== 'none') {
        const r = await platform.as(jwt, 'PUT', `/v1/devices/${deviceId}/push`, { platform: platform_, token: pushToken });
        expect(r.status).toBe(200);
      }
      return { id, jwt, pushToken };
    }

    async function roomOf(ids: string[], encrypted = false) {
      const r = await platform.admin('POST', '/v1/rooms', { name: 'Lunch', kind: 'group', members: ids, encrypted });
      return r.json as { id: string; memberVersion: number };
    }

    /** A REST send (the same pipeline as MQTT): resolves with its seq. */
    async function say(jwt: string, room: { id: string; memberVersion: number }, text: string): Promise<number> {
      const r = await platform.as(jwt, 'POST', `/v1/rooms/${room.id}/messages`, {
        clientMsgId: `m${Math.random().toString(36).slice(2)}`,
        roomVersion: room.memberVersion,
        body: Buffer.from(text).toString('base64'),
        contentType: 'text/plain',
      });
      expect(r.status).toBe(201);
      return r.json.seq as number;
    }

    async function connect(userId: string, jwt: string, deviceId = 'phone') {
      const device = await TestDevice.connect(platform.endpoints.mqtt, userId, deviceId, jwt);
      closers.push(() => device.close());
      return device;
    }

    const apnsTo = (token: string) => stubs.apns.deliveries.list({ token });
    const fcmTo = (token: string) => stubs.fcm.deliveries.list({ token });
    const seqOf = (d: ApnsDelivery | FcmDelivery) => Number(pushData(d)['seq']);
    const sentAt = async (roomId: string, seq: number) =>
      (await platform.admin('GET', `/v1/rooms/${roomId}/messages?after=${seq - 1}&limit=1`)).json.messages[0].sentAtMs as number;

    it('pushes an offline member exactly once per message, with room, seq, sender name, preview and badge, on APNs and FCM', async () => {
      const alice = await member('Alice');
      const bob = await member('Bob', 'apns');
      const carol = await member('Carol', 'fcm');
      const room = await roomOf([alice.id, bob.id, carol.id]);
      const first = await say(alice.jwt, room, 'Lunch at noon?');
      await stubs.apns.deliveries.waitFor(1, { token: bob.pushToken, timeoutMs: WAIT_MS }); // so its badge counts one unread
      const seqs = [first, await say(alice.jwt, room, 'x'.repeat(150))];
      for (const seq of seqs) await pushes.planned(room.id, seq);
      await stubs.apns.deliveries.waitFor(2, { token: bob.pushToken, timeoutMs: WAIT_MS });
      await stubs.fcm.deliveries.waitFor(2, { token: carol.pushToken, timeoutMs: WAIT_MS });
      for (const seq of seqs)
        await pushes.settled(
          (e) =>
            e.delivery.roomId === room.id && e.delivery.seq === seq && e.delivery.userId === carol.id && e.settlement.status === 'sent',
        );

      const [apnsFirst, apnsSecond] = apnsTo(bob.pushToken);
      expect(apnsTo(bob.pushToken)).toHaveLength(2);
      expect(apnsFirst).toMatchObject({ pushType: 'alert', priority: 10, collapseId: `room:${room.id}` });
      expect(apnsFirst!.payload).toEqual({
        type: 'message',
        roomId: room.id,
        seq: '1',
        senderId: alice.id,
        dedupKey: `${room.id}:1:${bob.id}:phone`,
        aps: { alert: { title: 'Alice', body: 'Lunch at noon?' }, badge: 1, sound: 'default', 'thread-id': `room:${room.id}` },
      });
      expect((apnsSecond!.payload['aps'] as { alert: { body: string }; badge: number }).alert.body).toBe(`${'x'.repeat(100)}…`);
      expect((apnsSecond!.payload['aps'] as { badge: number }).badge).toBe(2);

      const fcmPushes = fcmTo(carol.pushToken);
      expect(fcmPushes.map(seqOf)).toEqual([1, 2]); // in order, so the collapsed notification is the newest
      expect(fcmPushes[0]!.message).toMatchObject({
        notification: { title: 'Alice', body: 'Lunch at noon?' },
        data: { type: 'message', roomId: room.id, seq: '1', dedupKey: `${room.id}:1:${carol.id}:phone` },
        android: { collapse_key: `room:${room.id}`, priority: 'high' },
      });
      expect(apnsTo(alice.pushToken)).toEqual([]);
    });

    it('pushes nobody who is online and acknowledges the message (PUBACK) before the deadline', async () => {
      const alice = await member('Alice');
      const bob = await member('Bob', 'apns');
      const carol = await member('Carol', 'fcm');
      const room = await roomOf([alice.id, bob.id, carol.id]);
      const phone = await connect(bob.id, bob.jwt);
      expect(await phone.joinRoom(room.id)).toBe(1);
      const seq = await say(alice.jwt, room, 'see you there');
      await phone.waitForMessages(room.id, 1);
      await pushes.planned(room.id, seq); // at the ack deadline: bob acknowledged, carol (offline) was pushed
      await stubs.fcm.deliveries.waitFor(1, { token: carol.pushToken, timeoutMs: WAIT_MS });
      expect(apnsTo(bob.pushToken)).toEqual([]);
      expect((await listDeliveries(platform.db, room.id)).map((d) => d.userId)).toEqual([carol.id]);
    });

    it('pushes a device whose connection is half-open (subscribed, never acknowledging) within ack timeout + poll + request timeout', async () => {
      const alice = await member('Alice');
      const bob = await member('Bob', 'apns');
      const room = await roomOf([alice.id, bob.id]);
      const halfOpen = await halfOpenDevice(platform.endpoints.mqtt, bob.id, 'phone', bob.jwt, roomTopic(room.id));
      closers.push(async () => halfOpen.destroy());
      const seq = await say(alice.jwt, room, 'hello?');
      await halfOpen.received(1); // the broker delivered it; the device never PUBACKs
      const [push] = await stubs.apns.deliveries.waitFor(1, { token: bob.pushToken, timeoutMs: WAIT_MS });
      const delayMs = push!.receivedAtMs - (await sentAt(room.id, seq));
      expect(delayMs).toBeGreaterThanOrEqual(ACK_TIMEOUT_MS); // it was given its chance to acknowledge
      expect(delayMs).toBeLessThanOrEqual(ACK_TIMEOUT_MS + POLL_MS + REQUEST_TIMEOUT_MS); // the stated worst case
    });

    it('removes a token the provider calls unregistered (APNs 410, FCM 404) and pushes it nothing more', async () => {
      const alice = await member('Alice');
      const bob = await member('Bob', 'apns');
      const carol = await member('Carol', 'fcm');
      const dave = await member('Dave', 'fcm');
      const room = await roomOf([alice.id, bob.id, carol.id, dave.id]);
      stubs.apns.setTokenState(bob.pushToken, { state: 'unregistered', sinceMs: Date.now() });
      stubs.fcm.setTokenState(carol.pushToken, { state: 'unregistered', sinceMs: Date.now() });
      await say(alice.jwt, room, 'one');
      for (const user of [bob, carol]) await pushes.settled((e) => e.delivery.userId === user.id && e.settlement.status === 'dead');
      expect(await getPushToken(platform.db, bob.id, 'phone')).toBeUndefined();
      expect((await platform.as(carol.jwt, 'GET', '/v1/devices/phone/push')).status).toBe(404);
      const two = await say(alice.jwt, room, 'two');
      await pushes.planned(room.id, two);
      await stubs.fcm.deliveries.waitFor(2, { token: dave.pushToken, timeoutMs: WAIT_MS });
      const toDead = (await listDeliveries(platform.db, room.id)).filter((d) => d.userId === bob.id || d.userId === carol.id);
      expect(toDead.map((d) => [d.seq, d.status])).toEqual([
        [1, 'dead'],
        [1, 'dead'],
      ]);
    });

    it('retries a 429 no sooner than its Retry-After', async () => {
      const alice = await member('Alice');
      const bob = await member('Bob', 'fcm');
      const room = await roomOf([alice.id, bob.id]);
      stubs.fcm.injectFault({ kind: 'status', status: 429, retryAfterSeconds: 1, token: bob.pushToken });
      await say(alice.jwt, room, 'not so fast');
      const refused = await pushes.settled((e) => e.delivery.userId === bob.id && e.settlement.status === 'pending');
      const [push] = await stubs.fcm.deliveries.waitFor(1, { token: bob.pushToken, timeoutMs: WAIT_MS });
      expect(push!.receivedAtMs - refused.atMs).toBeGreaterThanOrEqual(1_000);
    });

    it('cuts off a hanging provider request at its timeout and retries it, while other pushes go through', async () => {
      const alice = await member('Alice');
      const bob = await member('Bob', 'apns');
      const carol = await member('Carol', 'apns');
      const room = await roomOf([alice.id, bob.id, carol.id]);
      stubs.apns.injectFault({ kind: 'hang', token: bob.pushToken });
      await say(alice.jwt, room, 'anyone?');
      const [toCarol] = await stubs.apns.deliveries.waitFor(1, { token: carol.pushToken, timeoutMs: WAIT_MS });
      const timedOut = await pushes.settled((e) => e.delivery.userId === bob.id && e.settlement.status === 'pending');
      const [toBob] = await stubs.apns.deliveries.waitFor(1, { token: bob.pushToken, timeoutMs: WAIT_MS });
      expect(toCarol!.receivedAtMs).toBeLessThan(timedOut.atMs);
      expect(toBob!.receivedAtMs).toBeGreaterThan(timedOut.atMs);
    });

    it('sends no stale push to a member who came online and caught up while its push waited for a retry', async () => {
      const alice = await member('Alice');
      const bob = await member('Bob', 'apns');
      const room = await roomOf([alice.id, bob.id]);
      stubs.apns.injectFault({ kind: 'status', status: 503, retryAfterSeconds: 1, token: bob.pushToken });
      const seq = await say(alice.jwt, room, 'are you up?');
      await pushes.settled((e) => e.delivery.userId === bob.id && e.settlement.status === 'pending');
      const phone = await connect(bob.id, bob.jwt);
      await phone.joinRoom(room.id);
      const caughtUp = await platform.as(bob.jwt, 'GET', `/v1/rooms/${room.id}/messages?after=0`);
      expect(caughtUp.json.messages.map((m: { seq: number }) => m.seq)).toEqual([seq]);
      const retried = await pushes.settled((e) => e.delivery.userId === bob.id && e.settlement.status !== 'pending');
      expect(retried.settlement).toMatchObject({ status: 'skipped', outcome: 'already received' });
      expect(apnsTo(bob.pushToken)).toEqual([]);
    });

    it('withdraws the notification on the phone with a silent push when the room is read on the laptop', async () => {
      const alice = await member('Alice');
      const bob = await member('Bob', 'fcm');
      const room = await roomOf([alice.id, bob.id]);
      const seq = await say(alice.jwt, room, 'did you see this?');
      await stubs.fcm.deliveries.waitFor(1, { token: bob.pushToken, timeoutMs: WAIT_MS });
      await pushes.settled((e) => e.delivery.userId === bob.id && e.settlement.status === 'sent');
      const laptop = await connect(bob.id, await platform.tokenFor(bob.id, 'laptop'), 'laptop');
      await laptop.client.publishAsync(receiptTopic(room.id), Buffer.from(encodeReceipt({ readSeq: seq, userId: '' })), { qos: 0 });
      const [, retraction] = await stubs.fcm.deliveries.waitFor(2, { token: bob.pushToken, timeoutMs: WAIT_MS });
      expect(retraction!.message).toMatchObject({
        data: { type: 'retract', roomId: room.id, readSeq: String(seq), badge: '0', dedupKey: `${room.id}:read${seq}:${bob.id}:phone` },
        android: { collapse_key: `room:${room.id}`, priority: 'normal' },
        apns: { payload: { aps: { 'content-available': 1, badge: 0 } } },
      });
      expect(retraction!.message.notification).toBeUndefined();
    });

    it('sends a data-only tickle without sender or body for an end-to-end-encrypted room', async () => {
      const alice = await member('Alice');
      const bob = await member('Bob', 'apns');
      const room = await roomOf([alice.id, bob.id], true);
      await say(alice.jwt, room, 'ciphertext, really');
      const [tickle] = await stubs.apns.deliveries.waitFor(1, { token: bob.pushToken, timeoutMs: WAIT_MS });
      expect(tickle).toMatchObject({ pushType: 'background', priority: 5 });
      expect(tickle!.payload).toEqual({
        type: 'message',
        roomId: room.id,
        seq: '1',
        badge: '1',
        dedupKey: `${room.id}:1:${bob.id}:phone`,
        aps: { 'content-available': 1 },
      });
    });
  });
}

/**
 * A device whose connection is half-open: it CONNECTs and SUBSCRIBEs like any other (so the
 * broker and presence see it online), then never acknowledges a delivery, as a phone does whose
 * network vanished without a FIN. Raw MQTT over TCP (mqtt-packet): MQTT.js would PUBACK.
 */
async function halfOpenDevice(mqttUrl: string, userId: string, deviceId: string, jwt: string, topic: string) {
  const { hostname, port } = new URL(mqttUrl);
  const socket = net.connect(Number(port), hostname);
  await once(socket, 'connect');
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const publishes: mqttPacket.IPublishPacket[] = [];
  const waiters: { count: number; resolve(): void }[] = [];
  const next = (cmd: string) =>
    new Promise<mqttPacket.Packet>((resolve) => parser.once('packet', (p: mqttPacket.Packet) => (p.cmd === cmd ? resolve(p) : undefined)));
  socket.on('data', (chunk: Buffer) => parser.parse(chunk));
  parser.on('packet', (packet: mqttPacket.Packet) => {
    if (packet.cmd !== 'publish') return;
    publishes.push(packet);
    for (const w of waiters.filter((w) => publishes.length >= w.count)) w.resolve();
  });
  const connack = next('connack');
  socket.write(
    mqttPacket.generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      clientId: deviceClientId(userId, deviceId),
      keepalive: 600, // a long one, as the SDK's adaptive heartbeat uses: the broker has no reason to drop it soon
      username: userId,
      password: Buffer.from(jwt),
    }),
  );
  expect(await connack).toMatchObject({ returnCode: 0 });
  const suback = next('suback');
  socket.write(mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic, qos: 1 }] }));
  expect(await suback).toMatchObject({ granted: [1] });
  return {
    received: (count: number) =>
      publishes.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve })),
    destroy: () => socket.destroy(),
  };
}
