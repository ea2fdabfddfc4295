/**
 * The one file that knows Aedes callbacks: wires authentication, the ACL, the SUBSCRIBE rate
 * limit, the publish relay, the forward guard and the sinks (sends, receipts, deliveries) into an
 * Aedes instance. What Aedes does not declare it reaches through aedes-internals.ts.
 */
import { finished } from 'node:stream';
import type { Aedes, AuthenticateError, Client, PublishPacket, Subscription } from 'aedes';
import type { Clock } from '../lib/clock.js';
import type { KeyedTokenBuckets } from '../lib/keyed-token-buckets.js';
import type { Logger } from '../lib/log.js';
import type { Metrics } from '../lib/metrics.js';
import type { TokenService } from '../lib/tokens.js';
import { parseTopic } from '../schema/index.js';
import { decideCredentials, decidePublish, decideSubscribe, forwardScopeOf, type AclDecision } from '../access/index.js';
import { memoize } from './bounded-memo.js';
import { exactSubscriptionQos, isLastWill, lowerQosOnPublish, onPuback, willClientId } from './aedes-internals.js';
import type { ConnectGate } from './connect-gate.js';
import type { DeliveryAcks } from './delivery-acks.js';
import { identityOf, setIdentity, type Identity } from './identity.js';
import type { MembershipCache } from './membership-cache.js';
import { messageStamp } from './message-seq.js';
import type { PresenceGuard } from './presence-guard.js';
import { createPublishRelay } from './publish-relay.js';
import { deviceOfClientId, willIsHonoured } from './publish-rules.js';
import type { BrokerSinks } from './sinks.js';
import type { RevocableDevice, TokenRefusal } from './token-revocations.js';

/** Topic names whose forward scope is remembered (a handful per room and per user are in use). */
const MAX_MEMOIZED_TOPICS = 100_000;

export interface HookDeps {
  tokens: TokenService;
  adminToken: string;
  membership: MembershipCache;
  /** Presence subscriptions deliver while the two users share a room. */
  presenceGuard: PresenceGuard;
  sinks: BrokerSinks;
  /** Which packet id carried which room Message to which connection (with a delivery sink only). */
  deliveryAcks: DeliveryAcks<Client>;
  /** CONNECTs refused before authentication (keepalive, connect rate). */
  connectGate: ConnectGate;
  /** A revoked token is refused at CONNECT (token-revocations.ts). */
  tokenRefusal(device: RevocableDevice): TokenRefusal | undefined;
  /** Typing events, read receipts and subscribed topic filters, per client id. */
  typingLimiter: KeyedTokenBuckets;
  receiptLimiter: KeyedTokenBuckets;
  subscribeLimiter: KeyedTokenBuckets;
  metrics: Metrics;
  /** Send-to-delivery latency is measured against this clock (a Message's sent_at_ms is the bridge's). */
  clock: Clock;
  log: Logger;
}

function refuse(returnCode: number, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode });
}

export function installHooks(aedes: Aedes, deps: HookDeps): void {
  const { log } = deps;
  const { sinks } = deps;
  const relay = createPublishRelay({ ...deps, onReceipt: sinks.receipt });
  const scopeOf = memoize(forwardScopeOf, MAX_MEMOIZED_TOPICS);

  aedes.authenticate = (client, username, password, done) => {
    const refusal = deps.connectGate.refusalOf(client);
    if (refusal !== undefined) return done(refusal, false);
    const verdict = decideCredentials(deps, { clientId: client.id, username, password: password?.toString('utf8') ?? '' });
    if (!verdict.accept) {
      if (verdict.reason === 'token_invalid') log.info({ clientId: client.id, code: verdict.tokenError }, 'connect refused: token');
      return done(refuse(verdict.returnCode, verdict.message), false);
    }
    const { identity } = verdict;
    const revoked = identity.kind === 'device' ? deps.tokenRefusal(identity) : undefined;
    if (revoked !== undefined) {
      log.info({ clientId: client.id, reason: revoked.reason }, 'connect refused: token');
      return done(refuse(revoked.returnCode, revoked.reason), false);
    }
    setIdentity(client, identity);
    done(null, true);
  };

  async function resolve(client: Client, identity: Identity, decision: AclDecision): Promise<boolean> {
    switch (decision.verdict) {
      case 'allow':
        return true;
      case 'deny':
        return false;
      case 'ifMember':
        return identity.kind === 'device' && deps.membership.isMember(decision.roomId, identity.userId);
      case 'ifSharesRoom':
        return identity.kind === 'device' && watchPresence(client, identity.userId, decision.otherUserId);
    }
  }

  const watching = new WeakSet<Client>();
  async function watchPresence(client: Client, userId: string, otherUserId: string): Promise<boolean> {
    const allowed = await deps.presenceGuard.watch(client, userId, otherUserId);
    if (!watching.has(client)) {
      watching.add(client);
      // Also called back at once for a connection that closed while the watch was decided.
      finished(client.conn, () => deps.presenceGuard.connectionGone(client));
    }
    return allowed;
  }

  aedes.authorizeSubscribe = (client, subscription: Subscription, done) => {
    const identity = identityOf(client);
    if (identity === undefined) return done(new Error('unauthenticated'));
    const refuseFilter = (reason: 'denied' | 'rate_limited') => {
      deps.metrics.subscriptionsRefused.inc({ reason });
      done(null, null); // SUBACK 0x80 for this filter only
    };
    // Filters a persistent session restores at CONNECT (before `connected`) were counted when first subscribed.
    const isCounted = identity.kind === 'device' && client.connected;
    if (isCounted && !deps.subscribeLimiter.take(client.id).allowed) {
      log.debug({ clientId: client.id, topic: subscription.topic }, 'subscribe rate limited');
      return refuseFilter('rate_limited');
    }
    resolve(client, identity, decideSubscribe(identity, subscription.topic)).then(
      (allowed) => {
        if (allowed) return done(null, subscription);
        log.info({ clientId: client.id, topic: subscription.topic }, 'subscribe denied');
        refuseFilter('denied');
      },
      (error: unknown) => done(error as Error),
    );
  };

  /** Typing and receipts marked here are relayed at QoS 0, whatever QoS they were published at. */
  const atMostOnce = new WeakSet<PublishPacket>();

  aedes.authorizePublish = (client: Client | null, packet: PublishPacket, done) => {
    if (isLastWill(client, packet)) {
      vetWill(client, packet);
      return done(null);
    }
    const identity = identityOf(client);
    if (client === null || identity === undefined) return done(new Error('unauthenticated'));
    resolve(client, identity, decidePublish(identity, packet.topic))
      .then(async (allowed) => {
        if (!allowed) throw new Error(`publish to ${packet.topic} denied`);
        const topic = parseTopic(packet.topic);
        if (identity.kind === 'service' || topic === undefined) return;
        if (topic.kind === 'typing' || topic.kind === 'receipt') atMostOnce.add(packet);
        await relay.relay(client.id, identity.userId, topic, packet);
        if (topic.kind === 'send' && sinks.send !== undefined) {
          await sinks.send({ userId: identity.userId, deviceId: identity.deviceId }, packet.payload as Buffer);
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

  function vetWill(client: Client | null, packet: PublishPacket): void {
    const identity = identityOf(client);
    if (identity?.kind === 'service') return;
    // A dead node's Will carries the client id that authentication checked against the token.
    const owner = identity ?? deviceOfClientId(willClientId(packet));
    relay.will(willIsHonoured(owner, parseTopic(packet.topic)), packet);
  }

  // No subscriber gets typing or receipts at QoS 1, and none are queued for offline sessions.
  lowerQosOnPublish(aedes, (packet) => atMostOnce.has(packet));

  aedes.on('clientDisconnect', (client) => {
    deps.receiptLimiter.forget(client.id);
    deps.subscribeLimiter.forget(client.id);
  });

  // Runs once per delivery: a memoized topic scope, map lookups, no allocation (the seq is decoded once per publication).
  aedes.authorizeForward = (client, packet) => {
    const identity = identityOf(client);
    if (identity?.kind === 'service') return packet;
    const scope = scopeOf(packet.topic);
    if (scope.guard === 'none') return packet;
    if (identity === undefined) return null;
    if (scope.guard === 'sharesRoom') {
      const mayDeliver = scope.userId === identity.userId || deps.presenceGuard.mayDeliver(client, scope.userId);
      return mayDeliver ? packet : null;
    }
    // A room not cached here has never been authorised for this node's subscribers: nothing to forward.
    if (deps.membership.cachedIsMember(scope.roomId, identity.userId) !== true) return null;
    if (!scope.isRoomMessage) return packet;
    const stamp = messageStamp(packet.payload);
    if (stamp === undefined) return packet;
    // Handed to this device's connection now: from the bridge's sequencing (sent_at_ms) to here.
    deps.metrics.deliveries.inc();
    deps.metrics.sendToDeliverySeconds.observe(Math.max(0, deps.clock.now() - stamp.sentAtMs) / 1000);
    if (sinks.delivery === undefined) return packet;
    // At QoS 0 (the packet's, or a subscription's that Aedes downgrades to) no PUBACK will come.
    const isAcknowledged = packet.qos === 1 && exactSubscriptionQos(client, packet.topic) !== 0;
    if (!isAcknowledged) return packet;
    return deps.deliveryAcks.track(client, packet, { roomId: scope.roomId, seq: stamp.seq });
  };

  const { delivery } = sinks;
  if (delivery === undefined) return;
  onPuback(aedes, (client, messageId) => {
    const delivered = deps.deliveryAcks.acked(client, messageId);
    const identity = identityOf(client);
    if (delivered !== undefined && identity?.kind === 'device') {
      delivery({ roomId: delivered.roomId, userId: identity.userId, deliveredSeq: delivered.seq });
    }
  });
}
