/**
 * What happens to a device PUBLISH after the ACL allowed it, topic by topic: typing and read
 * receipts are rate-limited per connection, stamped with the sender and (receipts) clamped to the
 * room's last seq; device presence must be a small DeviceStatus; the retain flag is kept only on
 * device presence (see publish-rules.ts). What cannot be relayed is dropped, not refused (MQTT
 * 3.1.1 could only close the connection), and counted in chat_signals_dropped_total.
 */
import type { KeyedTokenBuckets } from '../lib/keyed-token-buckets.js';
import type { Metrics } from '../lib/metrics.js';
import type { Topic } from '../schema/index.js';
import type { MembershipCache } from './membership-cache.js';
import { canonicalDeviceStatus, keepsRetain } from './publish-rules.js';
import { receiptReadSeq, stampedReceipt, stampTyping } from './signals.js';
import type { ReceiptSink } from './sinks.js';

/**
 * Where a dropped publish goes: MQTT 3.1.1 cannot refuse a PUBLISH without closing the
 * connection, so a dropped one is re-addressed to a topic nobody can subscribe to ('$' topics
 * match no wildcard [MQTT-4.7.2-1], and the ACL denies them).
 */
export const DROPPED_SIGNAL_TOPIC = '$platform/dropped';

/** The fields of a PUBLISH the relay rewrites (Aedes' packet has them). */
export interface RelayedPacket {
  topic: string;
  payload: Buffer | string;
  retain: boolean;
}

type DropKind = 'typing' | 'receipt' | 'device_presence' | 'will';
type DropReason = 'malformed' | 'rate_limited' | 'beyond_last_seq' | 'not_presence';

export interface PublishRelayDeps {
  /** Typing events per connection (client id). */
  typingLimiter: KeyedTokenBuckets;
  /** Read receipts per connection (client id). */
  receiptLimiter: KeyedTokenBuckets;
  membership: Pick<MembershipCache, 'clampReadSeq'>;
  /** The platform keeps the maximum read seq per (room, user). */
  onReceipt: ReceiptSink | undefined;
  metrics: Metrics;
}

export interface PublishRelay {
  /** Rewrites (or drops) an allowed device PUBLISH in place before Aedes delivers it. */
  relay(connectionId: string, userId: string, topic: Topic, packet: RelayedPacket): Promise<void>;
  /** A Last Will: relayed as a device-presence status when `isHonoured`, dropped otherwise. */
  will(isHonoured: boolean, packet: RelayedPacket): void;
}

const asBytes = (payload: Buffer | string): Buffer => (typeof payload === 'string' ? Buffer.from(payload) : payload);

export function createPublishRelay(deps: PublishRelayDeps): PublishRelay {
  function drop(packet: RelayedPacket, kind: DropKind, reason: DropReason): void {
    deps.metrics.signalsDropped.inc({ kind, reason });
    if (reason === 'malformed') deps.metrics.malformedPayloads.inc({ topic_kind: kind });
    packet.topic = DROPPED_SIGNAL_TOPIC;
    packet.retain = false;
  }

  function stripRetain(packet: RelayedPacket, kind: Topic['kind']): void {
    if (!packet.retain || keepsRetain(kind)) return;
    deps.metrics.retainStripped.inc({ topic_kind: kind });
    packet.retain = false;
  }

  function relayTyping(connectionId: string, userId: string, packet: RelayedPacket): void {
    if (!deps.typingLimiter.take(connectionId).allowed) return drop(packet, 'typing', 'rate_limited');
    const stamped = stampTyping(asBytes(packet.payload), userId);
    if (stamped === undefined) return drop(packet, 'typing', 'malformed');
    packet.payload = Buffer.from(stamped);
  }

  /** Receipts: rate-limited, reader stamped, clamped to the room's last seq, kept by the platform, relayed. */
  async function relayReceipt(connectionId: string, userId: string, roomId: string, packet: RelayedPacket): Promise<void> {
    if (!deps.receiptLimiter.take(connectionId).allowed) return drop(packet, 'receipt', 'rate_limited');
    const claimedSeq = receiptReadSeq(asBytes(packet.payload));
    if (claimedSeq === undefined) return drop(packet, 'receipt', 'malformed');
    // Relayed as the platform stores it: never beyond the room's last seq.
    const readSeq = await deps.membership.clampReadSeq(roomId, claimedSeq);
    if (readSeq === 0) return drop(packet, 'receipt', 'beyond_last_seq'); // the room has no message yet
    packet.payload = Buffer.from(stampedReceipt(readSeq, userId));
    deps.onReceipt?.({ roomId, userId, readSeq });
  }

  function relayDeviceStatus(packet: RelayedPacket, kind: DropKind): void {
    const status = canonicalDeviceStatus(asBytes(packet.payload));
    if (status === undefined) return drop(packet, kind, 'malformed');
    packet.payload = Buffer.from(status);
  }

  return {
    async relay(connectionId, userId, topic, packet) {
      stripRetain(packet, topic.kind);
      if (topic.kind === 'typing') return relayTyping(connectionId, userId, packet);
      if (topic.kind === 'receipt') return relayReceipt(connectionId, userId, topic.roomId, packet);
      if (topic.kind === 'devicePresence') return relayDeviceStatus(packet, 'device_presence');
    },
    will(isHonoured, packet) {
      if (!isHonoured) return drop(packet, 'will', 'not_presence');
      relayDeviceStatus(packet, 'device_presence');
    },
  };
}
