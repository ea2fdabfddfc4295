/**
 * End-to-end encrypted rooms with the SDK against the whole platform (docs/e2ee.md#the-sdk-side):
 * real libsignal on every device, real MQTT, the platform's key distribution, on the backends a
 * file picks. Multi-device groups in order across reconnects and gap-fill, a device added later,
 * a member removed, a device whose one-time keys ran out, a reinstall, safety numbers, pairwise
 * fan-out, and a key distribution too large for one message.
 */
import type { AuthorizeForwardHandler } from 'aedes';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeE2eeEnvelope,
  decodeMessage,
  deviceClientId,
  E2EE_CONTENT_TYPE,
  inboxTopic,
  roomEventTopic,
  roomTopic,
  RoomEventKind,
  type Message,
} from '@mqtt-chat/protocol';
import type { ChatMessage } from '@mqtt-chat/sdk';
import { startTestPlatform, type BackendChoice, type TestPlatform } from '../../support/platform.js';
import { createE2eeTestClient, type E2eeTestClient } from '../support/e2ee-client.js';
import { FAST, range } from '../support/sdk-client.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

export function describeE2eeGroups(name: string, choice: BackendChoice): void {
  describe(`end-to-end encrypted rooms (${name})`, () => {
    let platform: TestPlatform;
    let originalForward: AuthorizeForwardHandler;
    const clients: E2eeTestClient[] = [];
    const proxies: TcpProxy[] = [];

    beforeAll(async () => {
      platform = await startTestPlatform(choice, { PREKEY_LOW_THRESHOLD: '5' });
      originalForward = platform.broker.aedes.authorizeForward;
    });
    afterEach(() => {
      platform.broker.aedes.authorizeForward = originalForward;
      // Whatever a test did, no device ever found the platform holding keys it did not upload.
      for (const c of clients) expect(c.e2eeEvents.keyDigestMismatch).toEqual([]);
    });
    afterAll(async () => {
      for (const c of clients) c.client.close();
      await Promise.all(proxies.map((p) => p.close()));
      await platform?.stop();
    });

    type DeviceOptions = { via?: TcpProxy; e2ee?: Parameters<typeof createE2eeTestClient>[1] };

    /** A device of `userId`, connected, its keys on the platform. */
    async function device(userId: string, deviceId: string, options: DeviceOptions = {}): Promise<E2eeTestClient> {
      const token = await platform.tokenFor(userId, deviceId);
      const mqttUrl = options.via?.url ?? platform.endpoints.mqtt;
      const c = createE2eeTestClient({ mqttUrl, apiUrl: platform.endpoints.api, userId, deviceId, token, ...FAST }, options.e2ee);
      clients.push(c);
      await c.client.connect();
      await c.e2ee.ready();
      return c;
    }

    async function encryptedRoom(members: string[]): Promise<string> {
      const r = await platform.admin('POST', '/v1/rooms', { name: 'secret', kind: 'group', members, encrypted: true });
      expect(r.status).toBe(201);
      return r.json.id;
    }

    async function proxy(): Promise<TcpProxy> {
      const p = await startTcpProxy(platform.endpoints.mqtt);
      proxies.push(p);
      return p;
    }

    /** Live deliveries to one device that `drop` picks never arrive, as on a lossy network. */
    function dropDeliveries(c: E2eeTestClient, drop: (topic: string, payload: Buffer) => boolean): void {
      const aedes = platform.broker.aedes;
      aedes.authorizeForward = (client, packet) =>
        client?.id === deviceClientId(c.userId, c.deviceId) && drop(packet.topic, packet.payload as Buffer)
          ? null
          : originalForward.call(aedes, client, packet);
    }

    async function history(roomId: string): Promise<Message[]> {
      const r = await platform.admin('GET', `/v1/rooms/${roomId}/messages?after=0&limit=500`);
      expect(r.status).toBe(200);
      return r.json.messages.map((m: Record<string, unknown>) => ({
        ...m,
        roomId,
        epoch: r.json.epoch,
        body: Buffer.from(m['body'] as string, 'base64'),
      }));
    }

    const untilSeq = (cs: E2eeTestClient[], roomId: string, seq: number) =>
      Promise.all(cs.map((c) => c.until(() => c.client.lastSeq(roomId) >= seq && c.seen(roomId).length >= seq, `seq ${seq}`)));

    it('decrypts every message on every device of two users with two devices each, in order, across reconnects and gap-fill', async () => {
      const [alice, bob] = [await platform.createUser('alice'), await platform.createUser('bob')];
      const roomId = await encryptedRoom([alice, bob]);
      const net = await proxy();
      const a1 = await device(alice, 'phone');
      const a2 = await device(alice, 'laptop');
      const b1 = await device(bob, 'phone');
      const b2 = await device(bob, 'laptop', { via: net });
      const all = [a1, a2, b1, b2];
      await Promise.all(all.map((c) => c.untilSubscribed(roomId)));

      const texts: string[] = [];
      const say = async (c: E2eeTestClient, text: string) => {
        texts.push(text);
        return c.client.send(roomId, text);
      };
      // Every device writes once: each one's chain reaches the three others.
      for (const [i, c] of all.entries()) await say(c, `hello ${i + 1} from ${c.userId}/${c.deviceId}`);
      await untilSeq(all, roomId, 4);

      // A lost live delivery: alice's laptop fills the hole over REST, from ciphertext.
      dropDeliveries(a2, (topic, payload) => topic === roomTopic(roomId) && decodeMessage(payload).seq === 6);
      await say(b1, 'five');
      await say(a1, 'six (lost on the way to the laptop)');
      await say(b2, 'seven');
      await untilSeq(all, roomId, 7);
      expect(a2.client.stats().gapFetches).toBeGreaterThan(0);

      // Bob's laptop loses the broker, misses three messages, reconnects and catches up.
      await net.goDown();
      await b2.untilStatus((s) => s.state === 'connecting', 'the connection lost');
      await say(a2, 'eight');
      await say(b1, 'nine');
      await say(a1, 'ten');
      await net.comeBack();
      await untilSeq(all, roomId, 10);

      for (const c of all) {
        expect(c.seqs(roomId)).toEqual(range(1, 10));
        expect(c.seen(roomId)).toEqual(texts);
        expect((c.delivered as ChatMessage[]).every((m) => m.e2ee?.state === 'decrypted')).toBe(true);
      }
      // What the platform stores and serves is ciphertext.
      for (const stored of await history(roomId)) {
        expect(stored.contentType).toBe(E2EE_CONTENT_TYPE);
        expect(texts.some((text) => Buffer.from(stored.body).includes(text))).toBe(false);
        expect(decodeE2eeEnvelope(stored.body).senderKeyMessage.length).toBeGreaterThan(0);
      }
    });

    it('lets a device added later read what comes after it, but nothing from before', async () => {
      const [alice, bob] = [await platform.createUser('alice'), await platform.createUser('bob')];
      const roomId = await encryptedRoom([alice, bob]);
      const a1 = await device(alice, 'phone');
      const b1 = await device(bob, 'phone');
      await Promise.all([a1, b1].map((c) => c.untilSubscribed(roomId)));
      await a1.client.send(roomId, 'before the tablet 1');
      await b1.client.send(roomId, 'before the tablet 2');

      const tablet = await device(bob, 'tablet');
      // Everyone in the room hears of the new device (its first key upload) before writing again.
      const isTabletAdded = (c: E2eeTestClient) => () =>
        (c.events.roomEvent ?? []).some((e) => e.kind === RoomEventKind.ROOM_EVENT_KIND_DEVICE_ADDED && e.deviceId === 'tablet');
      await Promise.all([a1, b1].map((c) => c.until(isTabletAdded(c), 'DEVICE_ADDED of the tablet')));
      await untilSeq([tablet], roomId, 2);
      await a1.client.send(roomId, 'after the tablet 1');
      await b1.client.send(roomId, 'after the tablet 2');
      await untilSeq([a1, b1, tablet], roomId, 4);

      expect(tablet.seen(roomId)).toEqual(['<undecryptable>', '<undecryptable>', 'after the tablet 1', 'after the tablet 2']);
      expect(a1.seen(roomId)).toEqual(['before the tablet 1', 'before the tablet 2', 'after the tablet 1', 'after the tablet 2']);
      // The tablet got the chains it reads with (no new chain was needed for a new device).
      expect(a1.e2ee.stats().rotations).toBe(1);
    });

    it('reaches a device that appeared while the sender was offline: device lists are asked again after a reconnect', async () => {
      const [alice, bob] = [await platform.createUser('alice'), await platform.createUser('bob')];
      const roomId = await encryptedRoom([alice, bob]);
      const net = await proxy();
      const a1 = await device(alice, 'phone', { via: net });
      const b1 = await device(bob, 'phone');
      await Promise.all([a1, b1].map((c) => c.untilSubscribed(roomId)));
      await a1.client.send(roomId, 'before');
      await untilSeq([a1, b1], roomId, 1);

      // Alice's phone is away when bob's tablet appears: the announcement goes to those online.
      await net.goDown();
      await a1.untilStatus((s) => s.state === 'connecting', 'the connection lost');
      const tablet = await device(bob, 'tablet');
      await b1.until(
        () => (b1.events.roomEvent ?? []).some((e) => e.kind === RoomEventKind.ROOM_EVENT_KIND_DEVICE_ADDED && e.deviceId === 'tablet'),
        'DEVICE_ADDED of the tablet',
      );
      await net.comeBack();
      await a1.untilStatus((s) => s.state === 'connected', 'back online');
      await a1.client.send(roomId, 'after');
      await untilSeq([tablet, b1], roomId, 2);

      expect(tablet.seen(roomId)).toEqual(['<undecryptable>', 'after']);
      expect(b1.seen(roomId)).toEqual(['before', 'after']);
    });

    it('rotates the sender key when a member is removed: the removed device cannot read later messages, even when the sender had not heard of the removal', async () => {
      const [alice, bob, carol] = [
        await platform.createUser('alice'),
        await platform.createUser('bob'),
        await platform.createUser('carol'),
      ];
      const roomId = await encryptedRoom([alice, bob, carol]);
      const a1 = await device(alice, 'phone');
      const b1 = await device(bob, 'phone');
      const c1 = await device(carol, 'phone');
      await Promise.all([a1, b1, c1].map((c) => c.untilSubscribed(roomId)));
      await a1.client.send(roomId, 'for all three');
      await b1.client.send(roomId, 'bob to all three');
      await untilSeq([a1, b1, c1], roomId, 2);
      expect(c1.seen(roomId)).toEqual(['for all three', 'bob to all three']);

      // Alice never hears of the removal: her send goes out for the old membership, is Nacked, and is encrypted again.
      dropDeliveries(a1, (topic) => topic === roomEventTopic(roomId));
      expect((await platform.admin('DELETE', `/v1/rooms/${roomId}/members/${carol}`)).status).toBe(200);
      await b1.until(() => (b1.events.roomEvent ?? []).some((e) => e.kind === RoomEventKind.ROOM_EVENT_KIND_MEMBER_REMOVED), 'the removal');
      await a1.client.send(roomId, 'alice without carol');
      await b1.client.send(roomId, 'bob without carol');
      await untilSeq([a1, b1], roomId, 4);
      expect(b1.seen(roomId)).toEqual(['for all three', 'bob to all three', 'alice without carol', 'bob without carol']);
      expect(a1.client.stats().staleRefreshes).toBe(1);

      // Carol's device gets the stored ciphertexts anyway (a curious server would hand them over): it reads neither.
      const later = (await history(roomId)).slice(2);
      const opened = await Promise.all(later.map((m) => c1.e2ee.open(m)));
      expect(opened.map((m) => m.e2ee?.state)).toEqual(['undecryptable', 'undecryptable']);
      for (const m of later) expect(decodeE2eeEnvelope(m.body).pairwise.map((p) => p.userId)).not.toContain(carol);
      expect([a1.e2ee.stats().rotations, b1.e2ee.stats().rotations]).toEqual([2, 2]);
    });

    it('hands its chain again to a member added while a send waited for its Ack, when the platform answers the resealed send as a duplicate', async () => {
      const [alice, bob, carol] = [
        await platform.createUser('alice'),
        await platform.createUser('bob'),
        await platform.createUser('carol'),
      ];
      const roomId = await encryptedRoom([alice, bob]);
      const a1 = await device(alice, 'phone');
      const b1 = await device(bob, 'phone');
      const c1 = await device(carol, 'phone');
      await Promise.all([a1, b1].map((c) => c.untilSubscribed(roomId)));
      await a1.client.send(roomId, 'before carol');
      await untilSeq([a1, b1], roomId, 1);

      // The Ack of alice's next send is lost: the platform stored it for alice and bob.
      let isDroppingAcks = true;
      dropDeliveries(a1, (topic) => isDroppingAcks && topic === inboxTopic(alice));
      const waiting = a1.client.send(roomId, 'while carol is added');
      await b1.until(() => b1.seen(roomId).length >= 2, 'the send stored');
      // Carol joins before alice's resend: the resend is sealed again, now for carol too, and the
      // platform answers it as a duplicate of what it stored: carol's hand-out in it was never stored.
      expect((await platform.admin('POST', `/v1/rooms/${roomId}/members`, { userId: carol })).status).toBe(200);
      await a1.until(() => (a1.events.roomEvent ?? []).some((e) => e.kind === RoomEventKind.ROOM_EVENT_KIND_MEMBER_ADDED), 'the addition');
      isDroppingAcks = false;
      await waiting;
      await c1.untilSubscribed(roomId);

      await a1.client.send(roomId, 'after carol');
      await untilSeq([a1, b1, c1], roomId, 3);
      expect(c1.seen(roomId)).toEqual(['<undecryptable>', '<undecryptable>', 'after carol']);
      expect(b1.seen(roomId)).toEqual(['before carol', 'while carol is added', 'after carol']);
    });

    it('opens a session with a device whose one-time keys ran out while it was offline, on its Kyber last-resort key and no one-time EC key', async () => {
      const [alice, bob, mallory] = [
        await platform.createUser('alice'),
        await platform.createUser('bob'),
        await platform.createUser('mallory'),
      ];
      const roomId = await encryptedRoom([alice, bob, mallory]);
      const a1 = await device(alice, 'phone', { e2ee: { oneTimePreKeys: 3 } });
      const aliceToken = await platform.tokenFor(alice, 'phone');
      a1.client.close();

      // Mallory drains alice's one-time keys while alice is away.
      const malloryToken = await platform.tokenFor(mallory, 'phone');
      const claim = () => platform.as(malloryToken, 'POST', `/v1/users/${alice}/keys/claim`, {});
      for (let i = 0; i < 3; i += 1) expect((await claim()).status).toBe(200);
      const count = await platform.as(aliceToken, 'GET', '/v1/devices/phone/keys/count');
      expect([count.json.oneTimePreKeyCount, count.json.kyberOneTimePreKeyCount]).toEqual([0, 0]);
      const [drained] = (await claim()).json.devices;
      expect(drained.preKey).toBeUndefined();
      expect(drained.kyberPreKey.lastResort).toBe(true);

      const b1 = await device(bob, 'phone');
      await b1.untilSubscribed(roomId);
      await b1.client.send(roomId, 'are you there?');

      void a1.client.connect();
      await untilSeq([a1], roomId, 1);
      expect(a1.seen(roomId)).toEqual(['are you there?']);
      expect(a1.e2ee.stats().sessionsWithoutOneTimeKey).toBe(1);
      // Back online, alice's phone finds its keys gone and uploads new ones.
      await a1.untilE2ee('keysUploaded', (e) => e.kind === 'top-up', 'the top-up');
      const after = await platform.as(aliceToken, 'GET', '/v1/devices/phone/keys/count');
      expect([after.json.oneTimePreKeyCount, after.json.kyberOneTimePreKeyCount]).toEqual([3, 3]);
    });

    it('tops up one-time keys when a KeysLow notice says they run low', async () => {
      const [alice, mallory] = [await platform.createUser('alice'), await platform.createUser('mallory')];
      await encryptedRoom([alice, mallory]);
      const a1 = await device(alice, 'phone', { e2ee: { oneTimePreKeys: 8 } });
      const malloryToken = await platform.tokenFor(mallory, 'phone');
      // PREKEY_LOW_THRESHOLD is 5: the fourth claim leaves 4, and the platform tells alice's devices.
      for (let i = 0; i < 4; i += 1) await platform.as(malloryToken, 'POST', `/v1/users/${alice}/keys/claim`, {});
      await a1.untilE2ee('keysUploaded', (e) => e.kind === 'top-up', 'the top-up');
      const count = await platform.as(await platform.tokenFor(alice, 'phone'), 'GET', '/v1/devices/phone/keys/count');
      expect([count.json.oneTimePreKeyCount, count.json.kyberOneTimePreKeyCount]).toEqual([8, 8]);
    });

    it('tells the app when a peer reinstalls (IDENTITY_CHANGED), opens a new session, and the safety number changes', async () => {
      const [alice, bob] = [await platform.createUser('alice'), await platform.createUser('bob')];
      const roomId = await encryptedRoom([alice, bob]);
      const a1 = await device(alice, 'phone');
      const b1 = await device(bob, 'phone');
      await Promise.all([a1, b1].map((c) => c.untilSubscribed(roomId)));
      await a1.client.send(roomId, 'before the reinstall');
      await untilSeq([b1], roomId, 1);

      const [aliceSees] = await a1.e2ee.safetyNumbers(bob);
      const [bobSees] = await b1.e2ee.safetyNumbers(alice);
      expect(aliceSees!.displayable).toMatch(/^\d{60}$/);
      expect(bobSees!.displayable).toBe(aliceSees!.displayable);
      expect(b1.e2ee.compareScannable(bobSees!.scannable, aliceSees!.scannable)).toBe(true);

      // Alice reinstalls her phone: same device id, new store, new identity key.
      a1.client.close();
      const reinstalled = await device(alice, 'phone');
      const change = await b1.untilE2ee('identityChanged', (e) => e.userId === alice, 'the identity change');
      expect(change.signalDeviceId).toBe((await reinstalled.e2ee.ready()).signalDeviceId);
      const [bobSeesNow] = await b1.e2ee.safetyNumbers(alice);
      const [aliceSeesNow] = await reinstalled.e2ee.safetyNumbers(bob);
      expect(bobSeesNow!.displayable).not.toBe(bobSees!.displayable);
      expect(bobSeesNow!.displayable).toBe(aliceSeesNow!.displayable);
      expect(b1.e2ee.compareScannable(bobSeesNow!.scannable, aliceSees!.scannable)).toBe(false);

      await untilSeq([reinstalled], roomId, 1);
      await b1.client.send(roomId, 'welcome back');
      await reinstalled.client.send(roomId, 'thanks');
      await untilSeq([reinstalled, b1], roomId, 3);
      expect(reinstalled.seen(roomId)).toEqual(['<undecryptable>', 'welcome back', 'thanks']);
      expect(b1.seen(roomId)).toEqual(['before the reinstall', 'welcome back', 'thanks']);
    });

    it('reads pairwise fan-out and sender keys side by side in one room', async () => {
      const [alice, bob] = [await platform.createUser('alice'), await platform.createUser('bob')];
      const roomId = await encryptedRoom([alice, bob]);
      const a1 = await device(alice, 'phone', { e2ee: { groupStrategy: 'pairwise' } });
      const b1 = await device(bob, 'phone');
      const b2 = await device(bob, 'laptop', { e2ee: { groupStrategy: 'pairwise' } });
      await Promise.all([a1, b1, b2].map((c) => c.untilSubscribed(roomId)));
      await a1.client.send(roomId, 'pairwise 1');
      await b1.client.send(roomId, 'sender key 2');
      await b2.client.send(roomId, 'pairwise 3');
      await a1.client.send(roomId, 'pairwise 4');
      await untilSeq([a1, b1, b2], roomId, 4);
      for (const c of [a1, b1, b2]) expect(c.seen(roomId)).toEqual(['pairwise 1', 'sender key 2', 'pairwise 3', 'pairwise 4']);
      const stored = await history(roomId);
      expect(stored.map((m) => decodeE2eeEnvelope(m.body).senderKeyMessage.length > 0)).toEqual([false, true, false, false]);
      expect(decodeE2eeEnvelope(stored[0]!.body).pairwise).toHaveLength(2);
    });

    it('sends a key distribution too large for one message ahead of the content, in messages of its own', async () => {
      const users = await Promise.all(['alice', 'bob', 'carol', 'dave'].map((n) => platform.createUser(n)));
      const roomId = await encryptedRoom(users);
      // A PreKey message with its Kyber ciphertext is about 1.9 kB: three of them do not fit in 4 kB.
      const a1 = await device(users[0]!, 'phone', { e2ee: { maxEnvelopeBytes: 4096 } });
      const others = await Promise.all(users.slice(1).map((u) => device(u, 'phone')));
      await Promise.all([a1, ...others].map((c) => c.untilSubscribed(roomId)));
      await a1.client.send(roomId, 'to a crowd');
      const total = 1 + a1.e2ee.stats().distributionMessages;
      expect(total).toBeGreaterThan(1);
      await untilSeq([a1, ...others], roomId, total);
      for (const c of others) {
        const seen = c.seen(roomId);
        expect(seen.at(-1)).toBe('to a crowd');
        expect(seen.slice(0, -1).every((s) => s === '<keys-only>')).toBe(true);
      }
      for (const m of await history(roomId)) expect(m.body.length).toBeLessThanOrEqual(4096);
    });
  });
}
