/**
 * The topic ACL of docs/contract.md#topic-acl as pure decisions. Where the answer depends on room
 * membership or a shared room, the decision names what to look up; `aedes-hooks.ts`
 * looks it up and wires the result into Aedes.
 */
import { parseTopic } from '../schema/topics.js';
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
 * The forward guard: which deliveries need a membership re-check at delivery time, so a
 * removed member stops receiving at once although its subscription was made earlier.
 */
export function roomOfDelivery(topicName: string): string | undefined {
  const topic = parseTopic(topicName);
  if (topic === undefined) return undefined;
  const isRoomScoped = topic.kind === 'room' || topic.kind === 'typing' || topic.kind === 'receipt' || topic.kind === 'roomEvent';
  return isRoomScoped ? topic.roomId : undefined;
}
