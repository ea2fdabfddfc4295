/**
 * The one file that knows Aedes callbacks: wires authentication, the ACL, the forward guard
 * and the in-process send interception into an Aedes instance.
 */
import type { Aedes, AuthenticateError, Client, PublishPacket, Subscription } from 'aedes';
import type { Logger } from '../lib/log.js';
import type { Metrics } from '../lib/metrics.js';
import type { TokenService } from '../lib/tokens.js';
import { decodeMessage } from '../schema/codec.js';
import { deviceClientId, parseTopic } from '../schema/topics.js';
import { decidePublish, decideSubscribe, roomOfDelivery, type AclDecision } from './acl.js';
import type { DeliveryAcks, PacketIdSource } from './delivery-acks.js';
import { identityOf, setIdentity, SERVICE_USERNAME, type Identity } from './identity.js';
import type { MembershipCache } from './membership-cache.js';
import { stampReceipt, stampTyping } from './signals.js';
import type { TokenBuckets } from './token-bucket.js';

/** CONNACK return codes of MQTT 3.1.1 (§3.2.2.3). */
const CONNACK_NOT_AUTHORIZED = 5;
const CONNACK_IDENTIFIER_REJECTED = 2;

export type SendHandler = (sender: { userId: string; deviceId: string }, payload: Uint8Array) => Promise<void>;
export type ReceiptHandler = (mark: { roomId: string; userId: string; readSeq: number }) => void;
/** A device acknowledged (PUBACK) the room Message with this seq. */
export type DeliveryHandler = (mark: { roomId: string; userId: string; deliveredSeq: number }) => void;

/**
 * Where a dropped signal goes: MQTT 3.1.1 cannot refuse a PUBLISH without closing the
 * connection, so a dropped typing or receipt event is re-addressed to a topic nobody can
 * subscribe to ('$' topics match no wildcard [MQTT-4.7.2-1], and the ACL denies them).
 */
export const DROPPED_SIGNAL_TOPIC = '$platform/dropped';

export interface HookDeps {
  tokens: TokenService;
  adminToken: string;
  membership: MembershipCache;
  sharesRoom(userId: string, otherUserId: string): Promise<boolean>;
  /** In-process bridge: called before the PUBACK of every send, so the PUBACK means "committed". */
  sendHandler(): SendHandler | undefined;
  /** Read receipts, after stamping: the platform keeps the maximum per (room, user). */
  receiptHandler(): ReceiptHandler | undefined;
  /** PUBACKs of room Messages, per device: the push worker's evidence of delivery (docs/signals.md#delivery-marks). */
  deliveryHandler(): DeliveryHandler | undefined;
  deliveryAcks: DeliveryAcks;
  /** Typing events per client id. */
  typingLimiter: TokenBuckets;
  metrics: Metrics;
  log: Logger;
}

function refuse(returnCode: number, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode });
}

export function installHooks(aedes: Aedes, deps: HookDeps): void {
  const { log } = deps;

  aedes.authenticate = (client, username, password, done) => {
    const secret = password?.toString('utf8') ?? '';
    if (username === SERVICE_USERNAME) {
      if (secret === deps.adminToken) {
        setIdentity(client, { kind: 'service' });
        return done(null, true);
      }
      return done(refuse(CONNACK_NOT_AUTHORIZED, 'bad service credential'), false);
    }
    let identity: Identity;
    try {
      const verified = deps.tokens.verify(secret);
      identity = { kind: 'device', userId: verified.userId, deviceId: verified.deviceId, tokenExpiresAtMs: verified.expiresAtMs };
    } catch (error) {
      log.info({ clientId: client.id, code: (error as { code?: string }).code }, 'connect refused: token');
      return done(refuse(CONNACK_NOT_AUTHORIZED, 'token invalid or expired'), false);
    }
    if (username !== identity.userId) return done(refuse(CONNACK_NOT_AUTHORIZED, 'username is not the token subject'), false);
    if (client.id !== deviceClientId(identity.userId, identity.deviceId)) {
      return done(refuse(CONNACK_IDENTIFIER_REJECTED, 'client id must be {userId}:{deviceId}'), false);
    }
    setIdentity(client, identity);
    done(null, true);
  };

  async function resolve(identity: Identity, decision: AclDecision): Promise<boolean> {
    switch (decision.verdict) {
      case 'allow':
        return true;
      case 'deny':
        return false;
      case 'ifMember':
        return identity.kind === 'device' && deps.membership.isMember(decision.roomId, identity.userId);
      case 'ifSharesRoom':
        return identity.kind === 'device' && deps.sharesRoom(identity.userId, decision.otherUserId);
    }
  }

  aedes.authorizeSubscribe = (client, subscription: Subscription, done) => {
    const identity = identityOf(client);
    if (identity === undefined) return done(new Error('unauthenticated'));
    resolve(identity, decideSubscribe(identity, subscription.topic)).then(
      (allowed) => {
        if (!allowed) log.info({ clientId: client.id, topic: subscription.topic }, 'subscribe denied');
        done(null, allowed ? subscription : null); // null: SUBACK 0x80 for this filter only
      },
      (error: unknown) => done(error as Error),
    );
  };

  aedes.authorizePublish = (client: Client | null, packet: PublishPacket, done) => {
    const identity = identityOf(client);
    if (client === null || identity === undefined) return done(null); // a Will published after its client left
    resolve(identity, decidePublish(identity, packet.topic))
      .then(async (allowed) => {
        if (!allowed) throw new Error(`publish to ${packet.topic} denied`);
        if (identity.kind === 'service') return;
        const topic = parseTopic(packet.topic);
        if (topic?.kind === 'typing') return relayTyping(client, identity, packet);
        if (topic?.kind === 'receipt') return relayReceipt(identity, topic.roomId, packet);
        const handler = deps.sendHandler();
        if (topic?.kind === 'send' && handler !== undefined) {
          await handler({ userId: identity.userId, deviceId: identity.deviceId }, packet.payload as Buffer);
        }
      })
      .then(
        () => done(null),
        (error: unknown) => {
          // MQTT 3.1.1 has no negative PUBACK: closing the connection is the refusal, and an
          // unacknowledged QoS 1 send is retried by the client after it reconnects.
          log.info({ clientId: client.id, topic: packet.topic, err: (error as Error).message }, 'publish refused');
          done(error as Error);
        },
      );
  };

  function drop(packet: PublishPacket, kind: 'typing' | 'receipt', reason: 'malformed' | 'rate_limited'): void {
    deps.metrics.signalsDropped.inc({ kind, reason });
    if (reason === 'malformed') deps.metrics.malformedPayloads.inc({ topic_kind: kind });
    packet.topic = DROPPED_SIGNAL_TOPIC;
    packet.retain = false;
  }

  /** Typing: rate-limited per connection, sender stamped, never retained (docs/signals.md#broker-relay). */
  function relayTyping(client: Client, identity: Extract<Identity, { kind: 'device' }>, packet: PublishPacket): void {
    if (!deps.typingLimiter.tryTake(client.id)) return drop(packet, 'typing', 'rate_limited');
    const stamped = stampTyping(packet.payload as Buffer, identity.userId);
    if (stamped === undefined) return drop(packet, 'typing', 'malformed');
    packet.payload = Buffer.from(stamped);
    packet.retain = false;
  }

  /** Receipts: reader stamped, handed to the platform to keep, relayed to the members. */
  function relayReceipt(identity: Extract<Identity, { kind: 'device' }>, roomId: string, packet: PublishPacket): void {
    const stamped = stampReceipt(packet.payload as Buffer, identity.userId);
    if (stamped === undefined) return drop(packet, 'receipt', 'malformed');
    packet.payload = Buffer.from(stamped.payload);
    packet.retain = false;
    deps.receiptHandler()?.({ roomId, userId: identity.userId, readSeq: stamped.readSeq });
  }

  aedes.authorizeForward = (client, packet) => {
    const identity = identityOf(client);
    const roomId = roomOfDelivery(packet.topic);
    if (roomId === undefined || identity === undefined || identity.kind === 'service') return packet;
    // A room not cached here has never been authorised for this node's subscribers: nothing to forward.
    if (deps.membership.cachedIsMember(roomId, identity.userId) !== true) return null;
    const seq = deps.deliveryHandler() === undefined ? undefined : roomMessageSeq(packet);
    // At QoS 0 (the packet's, or a subscription's that Aedes downgrades to) no PUBACK will come.
    const subscriptions = (client as unknown as { subscriptions: Record<string, { qos: number } | undefined> }).subscriptions;
    const isAcknowledged = packet.qos === 1 && subscriptions[packet.topic]?.qos !== 0;
    if (seq === undefined || !isAcknowledged) return packet;
    return deps.deliveryAcks.track(client as unknown as PacketIdSource, packet, { roomId, seq });
  };

  // Aedes hands every PUBACK to its persistence's outgoingClearMessageId(client, packet)
  // (aedes/lib/handlers/puback.js), the one place the acknowledged packet id is visible.
  const persistence = (aedes as unknown as { persistence: unknown }).persistence as {
    outgoingClearMessageId(client: Client, packet: { messageId?: number }): Promise<unknown>;
  };
  const clearMessageId = persistence.outgoingClearMessageId.bind(persistence);
  persistence.outgoingClearMessageId = (client, packet) => {
    const delivery = deps.deliveryAcks.acked(client as unknown as PacketIdSource, packet.messageId);
    const identity = identityOf(client);
    if (delivery !== undefined && identity?.kind === 'device') {
      deps.deliveryHandler()?.({ roomId: delivery.roomId, userId: identity.userId, deliveredSeq: delivery.seq });
    }
    return clearMessageId(client, packet);
  };
}

/** Decoded once per published packet: Aedes hands the same packet to the forward guard of every subscriber. */
const seqOfPacket = new WeakMap<object, number | null>();

/** The seq of a `chat/room/{roomId}` Message; undefined for the room's other topics or an unreadable payload. */
function roomMessageSeq(packet: PublishPacket): number | undefined {
  if (parseTopic(packet.topic)?.kind !== 'room') return undefined;
  let seq = seqOfPacket.get(packet);
  if (seq === undefined) {
    try {
      seq = decodeMessage(packet.payload as Buffer).seq;
    } catch {
      seq = null;
    }
    seqOfPacket.set(packet, seq);
  }
  return seq ?? undefined;
}
