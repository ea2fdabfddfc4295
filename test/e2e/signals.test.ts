/**
 * Ephemeral signals through the broker (docs/signals.md#ephemeral-signals): typing is stamped,
 * rate-limited and never stored; receipts are stamped, relayed, and kept as the maximum per (room,
 * user), clamped to the room's last seq; non-members can do neither.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TypingState, decodeReceipt, decodeTyping, encodeReceipt, encodeTyping, receiptTopic, typingTopic } from '../../schema/index.js';
import { TestDevice, type Observation } from '../support/device.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

const TYPING_BURST = 4;

let platform: TestPlatform;
const devices: TestDevice[] = [];

beforeAll(async () => {
  platform = await startTestPlatform(
    { database: 'pglite', brokerState: 'memory' },
    { TYPING_BURST: String(TYPING_BURST), TYPING_RATE_PER_SECOND: '1', RECEIPT_FLUSH_MS: '20' },
  );
});
afterAll(async () => {
  await Promise.all(devices.map((d) => d.close()));
  await platform?.stop();
});

async function roomOf(count: number) {
  const userIds = await Promise.all(Array.from({ length: count }, (_, i) => platform.createUser(`user${i}`)));
  const room = await platform.createRoom(userIds);
  const members = await Promise.all(
    userIds.map(async (id) => {
      const d = await TestDevice.connect(platform.endpoints.mqtt, id, 'phone', await platform.tokenFor(id, 'phone'));
      devices.push(d);
      await d.client.subscribeAsync(`chat/room/${room.id}/+`, { qos: 0 });
      return d;
    }),
  );
  return { room, members, userIds };
}

const on =
  (topic: string) =>
  (o: Observation): o is Extract<Observation, { kind: 'other' }> =>
    o.kind === 'other' && o.topic === topic;
const typingSeen = (d: TestDevice, roomId: string) => d.observations.filter(on(typingTopic(roomId))).map((o) => decodeTyping(o.payload));

describe('typing', () => {
  it('relays typing to the other members with the sender stamped, whatever the client wrote', async () => {
    const { room, members, userIds } = await roomOf(2);
    const [alice, bob] = members as [TestDevice, TestDevice];
    alice.client.publish(typingTopic(room.id), Buffer.from(encodeTyping({ state: TypingState.TYPING_STATE_START, userId: userIds[1]! })), {
      qos: 0,
    });
    const seen = await bob.waitFor(on(typingTopic(room.id)), 'typing');
    expect(decodeTyping((seen as { payload: Buffer }).payload)).toEqual({ state: TypingState.TYPING_STATE_START, userId: alice.userId });
  });

  it("cuts one client's flood to its rate and still relays everyone else's typing", async () => {
    const { room, members } = await roomOf(3);
    const [flooder, other, watcher] = members as [TestDevice, TestDevice, TestDevice];
    const start = Buffer.from(encodeTyping({ state: TypingState.TYPING_STATE_START, userId: '' }));
    const before = await platform.metrics.signalsDropped.get();
    for (let i = 0; i < 50; i += 1) flooder.client.publish(typingTopic(room.id), start, { qos: 0 });
    // The receipt is published after the flood on the same connection, so it arrives after whatever the flood relayed.
    flooder.client.publish(receiptTopic(room.id), Buffer.from(encodeReceipt({ readSeq: 1, userId: '' })), { qos: 0 });
    await watcher.waitFor(on(receiptTopic(room.id)), 'receipt after the flood');
    const relayed = typingSeen(watcher, room.id).filter((t) => t.userId === flooder.userId).length;
    expect(relayed).toBeGreaterThanOrEqual(1);
    expect(relayed).toBeLessThanOrEqual(TYPING_BURST + 2); // the burst, plus at most ~1 s of refill at 1/s
    const dropped = (await platform.metrics.signalsDropped.get()).values.find((v) => v.labels['reason'] === 'rate_limited')?.value ?? 0;
    const droppedBefore = before.values.find((v) => v.labels['reason'] === 'rate_limited')?.value ?? 0;
    expect(dropped - droppedBefore).toBe(50 - relayed);
    other.client.publish(typingTopic(room.id), start, { qos: 0 });
    await watcher.waitFor(
      (o) => on(typingTopic(room.id))(o) && decodeTyping(o.payload).userId === other.userId,
      "the other member's typing",
    );
  });

  it('drops a malformed typing payload, counts it, and keeps the connection', async () => {
    const { room, members } = await roomOf(2);
    const [alice, bob] = members as [TestDevice, TestDevice];
    alice.client.publish(typingTopic(room.id), Buffer.from([0xff, 0xff, 0xff]), { qos: 0 });
    alice.client.publish(typingTopic(room.id), Buffer.from(encodeTyping({ state: TypingState.TYPING_STATE_STOP, userId: '' })), { qos: 0 });
    await bob.waitFor(on(typingTopic(room.id)), 'the valid typing event');
    expect(typingSeen(bob, room.id)).toEqual([{ state: TypingState.TYPING_STATE_STOP, userId: alice.userId }]);
    expect(alice.client.connected).toBe(true);
    const malformed = (await platform.metrics.malformedPayloads.get()).values.find((v) => v.labels['topic_kind'] === 'typing')?.value;
    expect(malformed).toBeGreaterThanOrEqual(1);
  });

  it('never stores typing: a retained typing event is not replayed to a later subscriber', async () => {
    const { room, members, userIds } = await roomOf(2);
    members[0]!.client.publish(typingTopic(room.id), Buffer.from(encodeTyping({ state: TypingState.TYPING_STATE_START, userId: '' })), {
      qos: 0,
      retain: true,
    });
    await members[1]!.waitFor(on(typingTopic(room.id)), 'live typing');
    const late = await TestDevice.connect(platform.endpoints.mqtt, userIds[1]!, 'tablet', await platform.tokenFor(userIds[1]!, 'tablet'));
    devices.push(late);
    await late.client.subscribeAsync([typingTopic(room.id), receiptTopic(room.id)], { qos: 0 });
    // A marker published after the subscription: had the typing event been retained, it would have come first.
    members[0]!.client.publish(receiptTopic(room.id), Buffer.from(encodeReceipt({ readSeq: 1, userId: '' })), { qos: 0 });
    await late.waitFor(on(receiptTopic(room.id)), 'marker');
    expect(typingSeen(late, room.id)).toEqual([]);
  });
});

describe('receipts', () => {
  it('relays receipts stamped, keeps the maximum per member, and shows unread counts', async () => {
    const { room, members } = await roomOf(2);
    const [alice, bob] = members as [TestDevice, TestDevice];
    await bob.joinRoom(room.id);
    for (const id of ['m1', 'm2', 'm3']) await alice.send(room.id, id, room.memberVersion, id);
    await bob.waitForMessages(room.id, 3);
    for (const readSeq of [1, 3, 2])
      bob.client.publish(receiptTopic(room.id), Buffer.from(encodeReceipt({ readSeq, userId: alice.userId })), { qos: 0 });
    await alice.waitFor(() => alice.observations.filter(on(receiptTopic(room.id))).length === 3, 'three receipts');
    expect(alice.observations.filter(on(receiptTopic(room.id))).map((o) => decodeReceipt(o.payload))).toEqual(
      [1, 3, 2].map((readSeq) => ({ readSeq, userId: bob.userId })),
    );
    await platform.receipts.flush();
    const bobView = await platform.as(await platform.tokenFor(bob.userId, 'phone'), 'GET', `/v1/rooms/${room.id}`);
    expect(bobView.json).toMatchObject({ lastSeq: 3, readSeq: 3, unread: 0 });
    const aliceView = await platform.as(await platform.tokenFor(alice.userId, 'phone'), 'GET', `/v1/rooms/${room.id}`);
    expect(aliceView.json).toMatchObject({ lastSeq: 3, readSeq: 0, unread: 3 });
  });

  it('clamps a receipt beyond the last seq to it', async () => {
    const { room, members } = await roomOf(1);
    await members[0]!.send(room.id, 'only', room.memberVersion, 'x');
    await members[0]!.waitForAck('only');
    members[0]!.client.publish(receiptTopic(room.id), Buffer.from(encodeReceipt({ readSeq: 999, userId: '' })), { qos: 0 });
    await members[0]!.waitFor(on(receiptTopic(room.id)), 'own receipt relayed');
    await platform.receipts.flush();
    const view = await platform.as(await platform.tokenFor(members[0]!.userId, 'phone'), 'GET', `/v1/rooms/${room.id}`);
    expect(view.json).toMatchObject({ lastSeq: 1, readSeq: 1, unread: 0 });
  });

  it('refuses a non-member: SUBACK 0x80 for typing and receipts, connection closed on publish', async () => {
    const { room } = await roomOf(1);
    const outsiderId = await platform.createUser('outsider');
    const outsider = await TestDevice.connect(platform.endpoints.mqtt, outsiderId, 'phone', await platform.tokenFor(outsiderId, 'phone'));
    devices.push(outsider);
    for (const topic of [typingTopic(room.id), receiptTopic(room.id)]) {
      const granted = await outsider.client
        .subscribeAsync(topic, { qos: 0 })
        .catch((e: { packet?: { granted?: number[] } }) => e.packet?.granted);
      expect(Array.isArray(granted) ? granted.map((g) => (typeof g === 'number' ? g : g.qos)) : granted).toEqual([128]);
    }
    const closed = new Promise<void>((resolve) => outsider.client.once('close', () => resolve()));
    outsider.client.publish(receiptTopic(room.id), Buffer.from(encodeReceipt({ readSeq: 1, userId: '' })), { qos: 0 });
    await closed;
  });
});
