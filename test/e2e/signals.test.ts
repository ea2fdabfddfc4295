/**
 * Ephemeral signals through the broker (docs/signals.md#ephemeral-signals): typing is stamped,
 * rate-limited and never stored; receipts are stamped, relayed, and kept as the maximum per (room,
 * user), clamped to the room's last seq; non-members can do neither.
 */
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retainedMessages, SERVICE_USERNAME } from '../../broker/index.js';
import {
  TypingState,
  decodeReceipt,
  decodeTyping,
  encodeReceipt,
  encodeSend,
  encodeTyping,
  receiptTopic,
  sendTopic,
  typingTopic,
} from '../../schema/index.js';
import { TestDevice, type Observation } from '../support/device.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

const TYPING_BURST = 4;
const RECEIPT_BURST = 4;
const SUBSCRIBE_BURST = 6;
/** Refills so slow (one token per 100 s) that each test sees exactly the burst. */
const SLOW_RATE = '0.01';

let platform: TestPlatform;
const devices: TestDevice[] = [];

beforeAll(async () => {
  platform = await startTestPlatform(
    { database: 'pglite', brokerState: 'memory' },
    {
      TYPING_BURST: String(TYPING_BURST),
      TYPING_RATE_PER_SECOND: '1',
      RECEIPT_FLUSH_MS: '20',
      RECEIPT_BURST: String(RECEIPT_BURST),
      RECEIPT_RATE_PER_SECOND: SLOW_RATE,
      SUBSCRIBE_BURST: String(SUBSCRIBE_BURST),
      SUBSCRIBE_RATE_PER_SECOND: SLOW_RATE,
    },
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

/** Stores one message in the room, so that a receipt of seq 1 is one the platform relays (a marker). */
async function seedMessage(roomId: string, memberVersion: number, sender: TestDevice): Promise<void> {
  const clientMsgId = `seed-${roomId}`;
  await sender.send(roomId, clientMsgId, memberVersion, 'seed');
  await sender.waitForAck(clientMsgId);
}

const on =
  (topic: string) =>
  (o: Observation): o is Extract<Observation, { kind: 'other' }> =>
    o.kind === 'other' && o.topic === topic;
const typingSeen = (d: TestDevice, roomId: string) => d.observations.filter(on(typingTopic(roomId))).map((o) => decodeTyping(o.payload));
const receiptsSeen = (d: TestDevice, roomId: string) =>
  d.observations.filter(on(receiptTopic(roomId))).map((o) => decodeReceipt(o.payload));
const START = Buffer.from(encodeTyping({ state: TypingState.TYPING_STATE_START, userId: '' }));
const receipt = (readSeq: number) => Buffer.from(encodeReceipt({ readSeq, userId: '' }));

async function counted(
  counter: { get(): Promise<{ values: { labels: Record<string, unknown>; value: number }[] }> },
  labels: Record<string, string>,
) {
  const { values } = await counter.get();
  const matches = (v: { labels: Record<string, unknown> }) => Object.entries(labels).every(([k, want]) => v.labels[k] === want);
  return values.find(matches)?.value ?? 0;
}

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
    await seedMessage(room.id, room.memberVersion, other);
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
    await seedMessage(room.id, room.memberVersion, members[1]!);
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

describe('retain', () => {
  it('ignores the retain flag of a send: stored and acked, but nothing kept for a later subscriber', async () => {
    const { room, members } = await roomOf(1);
    const sender = members[0]!;
    const service = await mqtt.connectAsync(platform.endpoints.mqtt, {
      clientId: 'retain-observer',
      username: SERVICE_USERNAME,
      password: platform.adminToken,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    try {
      await service.subscribeAsync(sendTopic(sender.userId), { qos: 0 });
      const relayed = new Promise<void>((resolve) => service.once('message', () => resolve()));
      const send = encodeSend({
        roomId: room.id,
        clientMsgId: 'retained',
        roomVersion: room.memberVersion,
        body: Buffer.from('x'),
        contentType: 'text/plain',
      });
      await sender.client.publishAsync(sendTopic(sender.userId), Buffer.from(send), { qos: 1, retain: true });
      expect((await sender.waitForAck('retained')).seq).toBe(1);
      // The broker stores a retained message before it delivers it: once relayed, the store is final.
      await relayed;
      const kept: unknown[] = [];
      for await (const packet of retainedMessages(platform.broker.aedes, 'chat/user/#')) kept.push(packet);
      expect(kept).toEqual([]);
      expect(sender.client.connected).toBe(true);
    } finally {
      await service.endAsync(true);
    }
  });
});

describe('QoS of signals', () => {
  it('relays typing and receipts published at QoS 1 at QoS 0, and still acknowledges the publisher', async () => {
    const { room, members, userIds } = await roomOf(2);
    const alice = members[0]!;
    await seedMessage(room.id, room.memberVersion, alice);
    const tablet = await TestDevice.connect(platform.endpoints.mqtt, userIds[1]!, 'tablet', await platform.tokenFor(userIds[1]!, 'tablet'));
    devices.push(tablet);
    await tablet.client.subscribeAsync([typingTopic(room.id), receiptTopic(room.id)], { qos: 1 });
    const qosSeen = new Map<string, number>();
    tablet.client.on('message', (topic, _payload, packet) => qosSeen.set(topic, packet.qos));
    await alice.client.publishAsync(typingTopic(room.id), START, { qos: 1 }); // resolves on its PUBACK
    await alice.client.publishAsync(receiptTopic(room.id), receipt(1), { qos: 1 });
    await tablet.waitFor(on(typingTopic(room.id)), 'typing');
    await tablet.waitFor(on(receiptTopic(room.id)), 'receipt');
    expect(Object.fromEntries(qosSeen)).toEqual({ [typingTopic(room.id)]: 0, [receiptTopic(room.id)]: 0 });
  });
});

describe('receipts', () => {
  it('relays receipts stamped, keeps the maximum per member, and shows unread counts', async () => {
    const { room, members } = await roomOf(3);
    const [alice, bob, carol] = members as [TestDevice, TestDevice, TestDevice];
    await bob.joinRoom(room.id);
    // Carol sends: a sender has read its own messages, so alice and bob are the ones with unread ones.
    for (const id of ['m1', 'm2', 'm3']) await carol.send(room.id, id, room.memberVersion, id);
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
    const bobList = await platform.as(await platform.tokenFor(bob.userId, 'phone'), 'GET', '/v1/rooms');
    expect(bobList.json.rooms.find((r: { id: string }) => r.id === room.id)).toMatchObject({ lastSeq: 3, readSeq: 3, unread: 0 });
    const aliceList = await platform.as(await platform.tokenFor(alice.userId, 'phone'), 'GET', '/v1/rooms');
    expect(aliceList.json.rooms.find((r: { id: string }) => r.id === room.id)).toMatchObject({ lastSeq: 3, readSeq: 0, unread: 3 });
    const carolView = await platform.as(await platform.tokenFor(carol.userId, 'phone'), 'GET', `/v1/rooms/${room.id}`);
    expect(carolView.json).toMatchObject({ lastSeq: 3, readSeq: 3, unread: 0 });
  });

  it('clamps a receipt beyond the last seq to it, in what it stores and in what it relays to the members', async () => {
    const { room, members } = await roomOf(2);
    const [reader, other] = members as [TestDevice, TestDevice];
    await reader.send(room.id, 'only', room.memberVersion, 'x');
    await reader.waitForAck('only');
    reader.client.publish(receiptTopic(room.id), receipt(Number.MAX_SAFE_INTEGER), { qos: 0 });
    await other.waitFor(on(receiptTopic(room.id)), 'the receipt relayed');
    expect(receiptsSeen(other, room.id)).toEqual([{ readSeq: 1, userId: reader.userId }]);
    await platform.receipts.flush();
    const view = await platform.as(await platform.tokenFor(reader.userId, 'phone'), 'GET', `/v1/rooms/${room.id}`);
    expect(view.json).toMatchObject({ lastSeq: 1, readSeq: 1, unread: 0 });
  });

  it('drops a receipt in a room without messages: there is nothing to have read', async () => {
    const { room, members } = await roomOf(2);
    const [reader, other] = members as [TestDevice, TestDevice];
    const before = await counted(platform.metrics.signalsDropped, { kind: 'receipt', reason: 'beyond_last_seq' });
    await reader.client.publishAsync(receiptTopic(room.id), receipt(3), { qos: 1 });
    reader.client.publish(typingTopic(room.id), START, { qos: 0 }); // a marker: handled after the receipt
    await other.waitFor(on(typingTopic(room.id)), 'the marker');
    expect(receiptsSeen(other, room.id)).toEqual([]);
    expect(await counted(platform.metrics.signalsDropped, { kind: 'receipt', reason: 'beyond_last_seq' })).toBe(before + 1);
  });

  it("cuts one client's receipt flood to its burst, counts the rest, and keeps relaying the others' receipts", async () => {
    const { room, members } = await roomOf(3);
    const [flooder, other, watcher] = members as [TestDevice, TestDevice, TestDevice];
    await seedMessage(room.id, room.memberVersion, other);
    const before = await counted(platform.metrics.signalsDropped, { kind: 'receipt', reason: 'rate_limited' });
    for (let i = 0; i < 49; i += 1) flooder.client.publish(receiptTopic(room.id), receipt(1), { qos: 0 });
    // Its PUBACK comes once the whole flood has been handled (Aedes reads no further until then).
    await flooder.client.publishAsync(receiptTopic(room.id), receipt(1), { qos: 1 });
    other.client.publish(receiptTopic(room.id), receipt(1), { qos: 0 });
    await watcher.waitFor((o) => on(receiptTopic(room.id))(o) && decodeReceipt(o.payload).userId === other.userId, "the other's receipt");
    flooder.client.publish(typingTopic(room.id), START, { qos: 0 }); // a marker after the flood, on its own bucket
    await watcher.waitFor(on(typingTopic(room.id)), 'the marker');
    const relayed = receiptsSeen(watcher, room.id).filter((r) => r.userId === flooder.userId).length;
    expect(relayed).toBe(RECEIPT_BURST);
    expect(await counted(platform.metrics.signalsDropped, { kind: 'receipt', reason: 'rate_limited' })).toBe(before + 50 - RECEIPT_BURST);
    expect(flooder.client.connected).toBe(true);
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

describe('subscribe rate', () => {
  const roomFilters = (roomId: string) => [`chat/room/${roomId}`, typingTopic(roomId), receiptTopic(roomId), `chat/room/${roomId}/event`];
  const grantedCodes = async (device: TestDevice, filters: string[]) => {
    const granted = await device.client
      .subscribeAsync(filters, { qos: 0 })
      .catch((e: { packet?: { granted?: number[] } }) => e.packet?.granted ?? []);
    return granted.map((g) => (typeof g === 'number' ? g : g.qos));
  };

  it('refuses the filters beyond the burst with SUBACK 0x80, counts them, and keeps the connection', async () => {
    const userId = await platform.createUser('subscriber');
    const [first, second] = [await platform.createRoom([userId]), await platform.createRoom([userId])];
    const device = await TestDevice.connect(platform.endpoints.mqtt, userId, 'phone', await platform.tokenFor(userId, 'phone')); // the inbox: 1
    devices.push(device);
    const before = await counted(platform.metrics.subscriptionsRefused, { reason: 'rate_limited' });
    const codes = await grantedCodes(device, [...roomFilters(first.id), ...roomFilters(second.id)]);
    expect(codes).toEqual([0, 0, 0, 0, 0, 128, 128, 128]);
    expect(await counted(platform.metrics.subscriptionsRefused, { reason: 'rate_limited' })).toBe(before + 3);
    expect(device.client.connected).toBe(true);
  });

  it('does not count the subscriptions a persistent session restores at CONNECT', async () => {
    const userId = await platform.createUser('persistent');
    const [first, second] = [await platform.createRoom([userId]), await platform.createRoom([userId])];
    const token = await platform.tokenFor(userId, 'phone');
    const connect = () => TestDevice.connect(platform.endpoints.mqtt, userId, 'phone', token, { clean: false });
    const before = await connect(); // the inbox: 1 of the burst
    expect(await grantedCodes(before, [...roomFilters(first.id), receiptTopic(second.id)])).toEqual([0, 0, 0, 0, 0]);
    await before.close();
    // The session holds SUBSCRIBE_BURST filters: restoring them must leave the new connection its whole burst.
    const after = await connect(); // subscribes the inbox again, which a spent burst would refuse
    devices.push(after);
    expect(await grantedCodes(after, [typingTopic(second.id)])).toEqual([0]);
  });
});
