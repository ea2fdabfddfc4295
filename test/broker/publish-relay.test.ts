import { describe, expect, it } from 'vitest';
import { createPublishRelay, DROPPED_SIGNAL_TOPIC, type RelayedPacket } from '../../broker/publish-relay.js';
import { createKeyedTokenBuckets } from '../../lib/keyed-token-buckets.js';
import { createMetrics } from '../../lib/metrics.js';
import {
  TypingState,
  decodeReceipt,
  decodeTyping,
  encodeDeviceStatus,
  encodeReceipt,
  encodeTyping,
  parseTopic,
  type Topic,
} from '../../schema/index.js';

/** A relay on a fake clock, with rooms whose last seq the test sets. */
function relayWith(lastSeqs: Record<string, number>) {
  const clock = { nowMs: 0 };
  const metrics = createMetrics();
  const marks: { roomId: string; userId: string; readSeq: number }[] = [];
  const relay = createPublishRelay({
    typingLimiter: createKeyedTokenBuckets({ now: () => clock.nowMs }, { ratePerSecond: 1, burst: 2 }),
    receiptLimiter: createKeyedTokenBuckets({ now: () => clock.nowMs }, { ratePerSecond: 2, burst: 3 }),
    membership: { clampReadSeq: async (roomId, readSeq) => Math.min(readSeq, lastSeqs[roomId] ?? 0) },
    onReceipt: (mark) => marks.push(mark),
    metrics,
  });
  const dropped = async (kind: string, reason: string) =>
    (await metrics.signalsDropped.get()).values.find((v) => v.labels['kind'] === kind && v.labels['reason'] === reason)?.value ?? 0;
  return { relay, clock, metrics, marks, dropped };
}

const packet = (topic: string, payload: Uint8Array, retain = false): RelayedPacket & { parsed: Topic } => ({
  topic,
  payload: Buffer.from(payload),
  retain,
  parsed: parseTopic(topic)!,
});

describe('createPublishRelay', () => {
  it('relays receipts up to the burst, then one per refill, and counts the rest as dropped', async () => {
    const { relay, clock, marks, dropped } = relayWith({ r1: 10 });
    const outcomes: string[] = [];
    for (const atMs of [0, 0, 0, 0, 499, 500, 500]) {
      clock.nowMs = atMs;
      const p = packet('chat/room/r1/receipt', encodeReceipt({ readSeq: 5, userId: 'mallory' }));
      await relay.relay('alice:phone', 'alice', p.parsed, p);
      outcomes.push(p.topic === DROPPED_SIGNAL_TOPIC ? 'dropped' : 'relayed');
    }
    expect(outcomes).toEqual(['relayed', 'relayed', 'relayed', 'dropped', 'dropped', 'relayed', 'dropped']);
    expect(await dropped('receipt', 'rate_limited')).toBe(3);
    expect(marks).toHaveLength(4);
  });

  it('relays and hands on a receipt clamped to the last seq, with the reader stamped', async () => {
    const { relay, marks } = relayWith({ r1: 7 });
    const p = packet('chat/room/r1/receipt', encodeReceipt({ readSeq: Number.MAX_SAFE_INTEGER, userId: 'mallory' }));
    await relay.relay('alice:phone', 'alice', p.parsed, p);
    expect(decodeReceipt(p.payload as Buffer)).toEqual({ readSeq: 7, userId: 'alice' });
    expect(marks).toEqual([{ roomId: 'r1', userId: 'alice', readSeq: 7 }]);
  });

  it('drops a receipt in a room without messages, and an undecodable one', async () => {
    const { relay, marks, dropped } = relayWith({ r1: 0, r2: 3 });
    const empty = packet('chat/room/r1/receipt', encodeReceipt({ readSeq: 1, userId: '' }));
    const garbage = packet('chat/room/r2/receipt', new Uint8Array([0xff, 0xff]));
    await relay.relay('alice:phone', 'alice', empty.parsed, empty);
    await relay.relay('alice:phone', 'alice', garbage.parsed, garbage);
    expect([empty.topic, garbage.topic]).toEqual([DROPPED_SIGNAL_TOPIC, DROPPED_SIGNAL_TOPIC]);
    expect(await dropped('receipt', 'beyond_last_seq')).toBe(1);
    expect(await dropped('receipt', 'malformed')).toBe(1);
    expect(marks).toEqual([]);
  });

  it('keeps separate budgets for typing and receipts, and per connection', async () => {
    const { relay } = relayWith({ r1: 1 });
    const typing = () => packet('chat/room/r1/typing', encodeTyping({ state: TypingState.TYPING_STATE_START, userId: '' }));
    const relayed = async (connectionId: string, p: ReturnType<typeof typing>) => {
      await relay.relay(connectionId, 'alice', p.parsed, p);
      return p.topic !== DROPPED_SIGNAL_TOPIC;
    };
    expect([await relayed('a', typing()), await relayed('a', typing()), await relayed('a', typing())]).toEqual([true, true, false]);
    expect(await relayed('b', typing())).toBe(true);
    const receipt = packet('chat/room/r1/receipt', encodeReceipt({ readSeq: 1, userId: '' }));
    expect(await relayed('a', receipt)).toBe(true);
    const last = typing();
    expect(await relayed('b', last)).toBe(true);
    expect(decodeTyping(last.payload as Buffer).userId).toBe('alice');
  });

  it('strips the retain flag everywhere but device presence, counted', async () => {
    const { relay, metrics } = relayWith({ r1: 1 });
    const send = packet('chat/user/alice/send', new Uint8Array([1]), true);
    const status = packet('chat/presence/alice/phone', encodeDeviceStatus({ online: true, heartbeatMs: 1 }), true);
    await relay.relay('alice:phone', 'alice', send.parsed, send);
    await relay.relay('alice:phone', 'alice', status.parsed, status);
    expect([send.retain, status.retain]).toEqual([false, true]);
    expect(send.topic).toBe('chat/user/alice/send');
    expect((await metrics.retainStripped.get()).values).toMatchObject([{ labels: { topic_kind: 'send' }, value: 1 }]);
  });

  it('drops a Will it does not honour, and a Will whose status is malformed', async () => {
    const { relay, dropped } = relayWith({});
    const honoured = packet('chat/presence/alice/phone', encodeDeviceStatus({ online: false, heartbeatMs: 0 }), true);
    const other = packet('chat/presence/alice', new Uint8Array(), true);
    const malformed = packet('chat/presence/alice/phone', new Uint8Array([0xff]), true);
    relay.will(true, honoured);
    relay.will(false, other);
    relay.will(true, malformed);
    expect([honoured.topic, other.topic, malformed.topic]).toEqual([
      'chat/presence/alice/phone',
      DROPPED_SIGNAL_TOPIC,
      DROPPED_SIGNAL_TOPIC,
    ]);
    expect([honoured.retain, other.retain, malformed.retain]).toEqual([true, false, false]);
    expect(await dropped('will', 'not_presence')).toBe(1);
    expect(await dropped('device_presence', 'malformed')).toBe(1);
  });
});
