/**
 * The durable chat path end to end (docs/durable-path.md#steps, docs/guarantees.md#guarantees),
 * with real MQTT.js clients over TCP and WebSocket against the whole platform. Run by one file per
 * backend combination.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NackReason, encodeSend, typingTopic } from '../../schema/index.js';
import { TestDevice } from '../support/device.js';
import { startTestPlatform, type BackendChoice, type TestPlatform } from '../support/platform.js';

export function describeDurablePath(name: string, choice: BackendChoice): void {
  describe(`durable path: ${name}`, () => {
    let platform: TestPlatform;
    const devices: TestDevice[] = [];

    beforeAll(async () => {
      platform = await startTestPlatform(choice);
    });
    afterAll(async () => {
      await Promise.all(devices.map((d) => d.close()));
      await platform?.stop();
    });

    async function device(userId: string, transport: 'tcp' | 'ws' = 'tcp', deviceId = 'phone'): Promise<TestDevice> {
      const url = transport === 'tcp' ? platform.endpoints.mqtt : platform.endpoints.ws;
      const d = await TestDevice.connect(url, userId, deviceId, await platform.tokenFor(userId, deviceId));
      devices.push(d);
      return d;
    }

    async function roomOf(count: number, transports: ('tcp' | 'ws')[] = []) {
      const userIds = await Promise.all(Array.from({ length: count }, (_, i) => platform.createUser(`user${i}`)));
      const room = await platform.createRoom(userIds);
      const members = await Promise.all(userIds.map((id, i) => device(id, transports[i] ?? 'tcp')));
      for (const m of members) expect(await m.joinRoom(room.id)).toBe(1);
      return { room, members, userIds };
    }

    it('lets two members, one on TCP and one on WebSocket, exchange messages they agree on, in seq order', async () => {
      const { room, members } = await roomOf(2, ['tcp', 'ws']);
      const [alice, bob] = members as [TestDevice, TestDevice];
      await alice.send(room.id, 'a1', room.memberVersion, 'hello bob');
      await bob.send(room.id, 'b1', room.memberVersion, 'hi alice');
      await alice.send(room.id, 'a2', room.memberVersion, 'how are you');
      const seenByAlice = await alice.waitForMessages(room.id, 3);
      const seenByBob = await bob.waitForMessages(room.id, 3);
      const summary = (ms: typeof seenByAlice) => ms.map((m) => [m.seq, m.clientMsgId, Buffer.from(m.body).toString()]);
      expect(summary(seenByAlice)).toEqual([
        [1, 'a1', 'hello bob'],
        [2, 'b1', 'hi alice'],
        [3, 'a2', 'how are you'],
      ]);
      expect(summary(seenByBob)).toEqual(summary(seenByAlice));
      expect(seenByBob[0]).toMatchObject({ senderId: alice.userId, senderDevice: 'phone', epoch: expect.any(Number) });
      expect(await alice.waitForAck('a2')).toMatchObject({ seq: 3, duplicate: false });
    });

    it('refuses a non-member at subscribe (SUBACK 0x80) and answers its send with Nack NOT_MEMBER', async () => {
      const { room } = await roomOf(1);
      const outsider = await device(await platform.createUser('outsider'));
      expect(await outsider.joinRoom(room.id)).toBe(128);
      await outsider.send(room.id, 'x1', room.memberVersion, 'let me in');
      expect(await outsider.waitForNack('x1')).toMatchObject({
        reason: NackReason.NACK_REASON_NOT_MEMBER,
        roomVersion: room.memberVersion,
      });
      expect((await platform.admin('GET', `/v1/rooms/${room.id}`)).json.lastSeq).toBe(0);
    });

    it("closes the connection of a non-member publishing to a room's typing topic, and nobody else's", async () => {
      const { room, members } = await roomOf(1);
      const outsider = await device(await platform.createUser('outsider'));
      const closed = new Promise<void>((resolve) => outsider.client.once('close', () => resolve()));
      outsider.client.publish(typingTopic(room.id), Buffer.from([8, 1]), { qos: 0 });
      await closed;
      await members[0]!.send(room.id, 'still-works', room.memberVersion, 'fine');
      expect(await members[0]!.waitForAck('still-works')).toMatchObject({ seq: 1 });
    });

    it('stops delivering to a removed member at once, and Nacks its next send', async () => {
      const { room, members, userIds } = await roomOf(3);
      const [alice, bob, carol] = members as [TestDevice, TestDevice, TestDevice];
      await alice.send(room.id, 'before', room.memberVersion, 'everyone sees this');
      await carol.waitForMessages(room.id, 1);
      const removal = await platform.admin('DELETE', `/v1/rooms/${room.id}/members/${userIds[2]}`);
      expect(removal.json).toEqual({ memberVersion: room.memberVersion + 1, changed: true });
      // The removal is announced to carol's inbox; once she has it, the broker has it too.
      await carol.waitFor((o) => o.kind === 'inbox' && 'event' in o.item && o.item.event.userId === userIds[2], 'removal event');
      await alice.send(room.id, 'after', removal.json.memberVersion, 'carol must not see this');
      await bob.waitForMessages(room.id, 2);
      expect(carol.messages(room.id).map((m) => m.clientMsgId)).toEqual(['before']);
      await carol.send(room.id, 'carol-after', removal.json.memberVersion, 'am I still here?');
      expect(await carol.waitForNack('carol-after')).toMatchObject({ reason: NackReason.NACK_REASON_NOT_MEMBER });
    });

    it('Nacks a send carrying a room version older than a membership change, with the current version', async () => {
      const { room, members } = await roomOf(2);
      const newcomer = await platform.createUser('newcomer');
      const added = await platform.admin('POST', `/v1/rooms/${room.id}/members`, { userId: newcomer });
      await members[0]!.send(room.id, 'stale', room.memberVersion, 'sent before I saw the newcomer');
      expect(await members[0]!.waitForNack('stale')).toMatchObject({
        reason: NackReason.NACK_REASON_STALE_ROOM_VERSION,
        roomVersion: added.json.memberVersion,
      });
      await members[0]!.send(room.id, 'fresh', added.json.memberVersion, 'resent with the new version');
      expect(await members[0]!.waitForAck('fresh')).toMatchObject({ seq: 1 });
    });

    it('gives 20 clients sending concurrently to one room gapless seqs 1..N with no duplicates', async () => {
      const { room, members } = await roomOf(20);
      const perClient = 5;
      await Promise.all(
        members.flatMap((m, c) =>
          Array.from({ length: perClient }, (_, i) => m.send(room.id, `c${c}-m${i}`, room.memberVersion, `${c}/${i}`)),
        ),
      );
      const total = members.length * perClient;
      const observer = members[0]!;
      const received = await observer.waitForMessages(room.id, total);
      expect(received.map((m) => m.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      expect(new Set(received.map((m) => `${m.senderId}/${m.clientMsgId}`)).size).toBe(total);
      const history = await platform.admin('GET', `/v1/rooms/${room.id}/messages?after=0&limit=500`);
      expect(history.json.messages.map((m: { seq: number }) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      // Batching is real: the batches were fewer than the sends.
      const batches =
        (await platform.metrics.sendBatchSize.get()).values.find((v) => v.metricName === 'chat_send_batch_size_count')?.value ?? 0;
      expect(batches).toBeLessThan((await platform.metrics.sends.get()).values.reduce((sum, v) => sum + v.value, 0));
    });

    it('acks a retried send (same clientMsgId) with the original seq and stores it once', async () => {
      const { room, members } = await roomOf(2);
      const [alice, bob] = members as [TestDevice, TestDevice];
      await alice.send(room.id, 'once', room.memberVersion, 'exactly once');
      const first = await alice.waitForAck('once');
      alice.observations.length = 0;
      await alice.send(room.id, 'once', room.memberVersion, 'exactly once');
      expect(await alice.waitForAck('once')).toEqual({ roomId: room.id, clientMsgId: 'once', seq: first.seq, duplicate: true });
      const history = await platform.admin('GET', `/v1/rooms/${room.id}/messages?after=0`);
      expect(history.json.messages).toHaveLength(1);
      // The stored message is re-published (healing a crash between commit and publish); apps dedup by seq.
      expect(new Set((await bob.waitForMessages(room.id, 2)).map((m) => m.seq))).toEqual(new Set([first.seq]));
    });

    it('fills a gap over REST with exactly the missing range', async () => {
      const { room, members } = await roomOf(1);
      const sender = members[0]!;
      for (let i = 1; i <= 8; i += 1) await sender.send(room.id, `g${i}`, room.memberVersion, `m${i}`);
      await sender.waitForAck('g8');
      const token = await platform.tokenFor(sender.userId, 'phone');
      const gap = await platform.as(token, 'GET', `/v1/rooms/${room.id}/messages?after=3&before=7`);
      expect(gap.status).toBe(200);
      expect(gap.json.messages.map((m: { seq: number }) => m.seq)).toEqual([4, 5, 6]);
      expect(gap.json).toMatchObject({ lastSeq: 8, epoch: expect.any(Number) });
      expect(Buffer.from(gap.json.messages[0].body, 'base64').toString()).toBe('m4');
    });

    it('Nacks a malformed send whose client id is readable, drops an unreadable one, and keeps the connection', async () => {
      const { room, members } = await roomOf(1);
      const sender = members[0]!;
      const valid = encodeSend({
        roomId: room.id,
        clientMsgId: 'broken',
        roomVersion: 1,
        body: Buffer.from('x'.repeat(50)),
        contentType: '',
      });
      const truncated = Buffer.from(valid.subarray(0, valid.length - 20));
      await sender.client.publishAsync(`chat/user/${sender.userId}/send`, truncated, { qos: 1 });
      expect(await sender.waitForNack('broken')).toMatchObject({ reason: NackReason.NACK_REASON_MALFORMED });
      await sender.client.publishAsync(`chat/user/${sender.userId}/send`, Buffer.from([0xff, 0xff, 0xff]), { qos: 1 });
      await sender.send(room.id, 'after-garbage', room.memberVersion, 'still connected');
      expect(await sender.waitForAck('after-garbage')).toMatchObject({ seq: 1 });
      expect(sender.client.connected).toBe(true);
    });

    it('Nacks a send whose body exceeds the configured maximum with TOO_LARGE', async () => {
      const { room, members } = await roomOf(1);
      await members[0]!.send(room.id, 'huge', room.memberVersion, 'x'.repeat(platform.config.MAX_PAYLOAD_BYTES + 1));
      expect(await members[0]!.waitForNack('huge')).toMatchObject({ reason: NackReason.NACK_REASON_TOO_LARGE });
    });

    for (const transport of ['tcp', 'ws'] as const) {
      it(`closes a ${transport} connection that sends a packet far above the maximum, and nobody else's`, async () => {
        const { room, members } = await roomOf(2, [transport, 'tcp']);
        const [flooder, bystander] = members as [TestDevice, TestDevice];
        const closed = new Promise<void>((resolve) => flooder.client.once('close', () => resolve()));
        flooder.client.publish(`chat/user/${flooder.userId}/send`, Buffer.alloc(platform.config.MAX_PAYLOAD_BYTES * 4), { qos: 1 });
        await closed;
        await bystander.send(room.id, 'unaffected', room.memberVersion, 'still here');
        expect(await bystander.waitForAck('unaffected')).toMatchObject({ seq: 1 });
      });
    }

    it('Nacks a send to a room that does not exist with ROOM_NOT_FOUND', async () => {
      const sender = await device(await platform.createUser('lost'));
      await sender.send('noSuchRoom', 'nowhere', 1, 'hello?');
      expect(await sender.waitForNack('nowhere')).toMatchObject({ reason: NackReason.NACK_REASON_ROOM_NOT_FOUND });
    });

    it('refuses a CONNECT with a bad, expired or foreign token with CONNACK 5 (not authorized)', async () => {
      const userId = await platform.createUser('mallory');
      const otherToken = await platform.tokenFor(await platform.createUser('other'), 'phone');
      const attempts = [
        { password: 'not-a-jwt', username: userId },
        { password: otherToken, username: userId },
      ];
      for (const attempt of attempts) {
        await expect(TestDevice.connect(platform.endpoints.mqtt, attempt.username, 'phone', attempt.password)).rejects.toMatchObject({
          code: 5,
        });
      }
    });
  });
}
