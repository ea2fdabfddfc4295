/**
 * The topic ACL of docs/contract.md#topic-acl as pure decisions. Where the answer depends on room
 * membership or a shared room, the decision names what to look up: the embedded broker's
 * `broker/aedes-hooks.ts` looks it up and wires the result into Aedes; the API's authorisation
 * endpoint for an external broker (`api/routes/broker-hooks.ts`) looks it up in the database.
 */
import { parseTopic } from '../schema/index.js';
import type { Identity } from './identity.js';

export type AclDecision =
  | { verdict: 'allow' }
  | { verdict: 'deny'; reason: string }
  | { verdict: 'ifMember'; roomId: string }
  | { verdict: 'ifSharesRoom'; otherUserId: string };

const allow: AclDecision = { verdict: 'allow' };
const deny = (reason: string): AclDecision => ({ verdict: 'deny', reason });

/** A room's own wildcard filters (`chat/room/{id}/+` and `chat/room/{id}/#`) are the only wildcards a device may use. */
const ROOM_WILDCARD = /^chat\/room\/([A-Za-z0-9_-]{1,64})\/[+#]$/;

export function decideSubscribe(identity: Identity, filter: string): AclDecision {
  if (identity.kind === 'service') return allow;
  const roomWildcard = ROOM_WILDCARD.exec(filter);
  if (roomWildcard?.[1] !== undefined) return { verdict: 'ifMember', roomId: roomWildcard[1] };
  if (filter.includes('+') || filter.includes('#')) return deny('wildcard outside the client scope');
  const topic = parseTopic(filter);
  if (topic === undefined) return deny('topic outside the chat grammar');
  switch (topic.kind) {
    case 'room':
    case 'typing':
    case 'receipt':
    case 'roomEvent':
      return { verdict: 'ifMember', roomId: topic.roomId };
    case 'inbox':
      return topic.userId === identity.userId ? allow : deny("another user's inbox");
    case 'presence':
    case 'devicePresence':
      return topic.userId === identity.userId ? allow : { verdict: 'ifSharesRoom', otherUserId: topic.userId };
    case 'send':
      return deny('send topics are write-only');
  }
}

export function decidePublish(identity: Identity, topicName: string): AclDecision {
  if (identity.kind === 'service') return allow;
  const topic = parseTopic(topicName);
  if (topic === undefined) return deny('topic outside the chat grammar');
  switch (topic.kind) {
    case 'send':
      return topic.userId === identity.userId ? allow : deny('may only send as itself');
    case 'devicePresence':
      return topic.userId === identity.userId && topic.deviceId === identity.deviceId ? allow : deny('may only publish its own presence');
    case 'typing':
    case 'receipt':
      return { verdict: 'ifMember', roomId: topic.roomId };
    case 'room':
    case 'roomEvent':
    case 'inbox':
    case 'presence':
      return deny('platform-only topic');
  }
}

/**
 * The forward guard: which deliveries need a re-check at delivery time, so a subscription made
 * earlier stops delivering once its reason is gone. Room topics are delivered while the
 * subscriber is a member; presence topics while the subscriber shares a room with their user.
 */
export type ForwardScope =
  { guard: 'member'; roomId: string; isRoomMessage: boolean } | { guard: 'sharesRoom'; userId: string } | { guard: 'none' };

const UNGUARDED: ForwardScope = { guard: 'none' };

export function forwardScopeOf(topicName: string): ForwardScope {
  const topic = parseTopic(topicName);
  switch (topic?.kind) {
    case 'room':
    case 'typing':
    case 'receipt':
    case 'roomEvent':
      return { guard: 'member', roomId: topic.roomId, isRoomMessage: topic.kind === 'room' };
    case 'presence':
    case 'devicePresence':
      return { guard: 'sharesRoom', userId: topic.userId };
    default:
      return UNGUARDED;
  }
}
