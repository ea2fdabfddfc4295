/**
 * The one file that knows Aedes callbacks: wires authentication, the ACL, the forward guard
 * and the in-process send interception into an Aedes instance.
 */
import type { Aedes, AuthenticateError, Client, PublishPacket, Subscription } from 'aedes';
import type { Logger } from '../lib/log.js';
import type { TokenService } from '../lib/tokens.js';
import { deviceClientId, parseTopic } from '../schema/topics.js';
import { decidePublish, decideSubscribe, roomOfDelivery, type AclDecision } from './acl.js';
import { identityOf, setIdentity, SERVICE_USERNAME, type Identity } from './identity.js';
import type { MembershipCache } from './membership-cache.js';

/** CONNACK return codes of MQTT 3.1.1 (§3.2.2.3). */
const CONNACK_NOT_AUTHORIZED = 5;
const CONNACK_IDENTIFIER_REJECTED = 2;

export type SendHandler = (sender: { userId: string; deviceId: string }, payload: Uint8Array) => Promise<void>;

export interface HookDeps {
  tokens: TokenService;
  adminToken: string;
  membership: MembershipCache;
  sharesRoom(userId: string, otherUserId: string): Promise<boolean>;
  /** In-process bridge: called before the PUBACK of every send, so the PUBACK means "committed". */
  sendHandler(): SendHandler | undefined;
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
      identity = { kind: 'device', userId: verified.userId, deviceId: verified.deviceId };
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
        const handler = deps.sendHandler();
        const isSend = identity.kind === 'device' && parseTopic(packet.topic)?.kind === 'send';
        if (isSend && handler !== undefined) {
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

  aedes.authorizeForward = (client, packet) => {
    const identity = identityOf(client);
    const roomId = roomOfDelivery(packet.topic);
    if (roomId === undefined || identity === undefined || identity.kind === 'service') return packet;
    // A room not cached here has never been authorised for this node's subscribers: nothing to forward.
    return deps.membership.cachedIsMember(roomId, identity.userId) === true ? packet : null;
  };
}
