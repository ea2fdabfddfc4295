/**
 * The topic grammar of docs/contract.md#topics: the only place topic strings are built or parsed.
 * Ids are compact tokens ([A-Za-z0-9_-]{1,64}), so they can never contain the MQTT
 * separators or wildcards ('/', '+', '#') [MQTT-4.7.1].
 */

export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const ID_PATTERN_SOURCE = '^[A-Za-z0-9_-]{1,64}$';

export function isValidId(id: string): boolean {
  return ID_PATTERN.test(id);
}

function checkedId(kind: string, id: string): string {
  if (!isValidId(id)) throw new RangeError(`invalid ${kind} id for a topic: ${JSON.stringify(id)}`);
  return id;
}

export const roomTopic = (roomId: string): string => `chat/room/${checkedId('room', roomId)}`;
export const typingTopic = (roomId: string): string => `${roomTopic(roomId)}/typing`;
export const receiptTopic = (roomId: string): string => `${roomTopic(roomId)}/receipt`;
export const roomEventTopic = (roomId: string): string => `${roomTopic(roomId)}/event`;
export const sendTopic = (userId: string): string => `chat/user/${checkedId('user', userId)}/send`;
export const inboxTopic = (userId: string): string => `chat/user/${checkedId('user', userId)}/inbox`;
export const devicePresenceTopic = (userId: string, deviceId: string): string =>
  `chat/presence/${checkedId('user', userId)}/${checkedId('device', deviceId)}`;
export const presenceTopic = (userId: string): string => `chat/presence/${checkedId('user', userId)}`;

/** Filters the platform's own services subscribe to. */
export const ALL_SEND_TOPICS = 'chat/user/+/send';
export const ALL_ROOM_EVENT_TOPICS = 'chat/room/+/event';
export const ALL_ROOM_MESSAGE_TOPICS = 'chat/room/+';

export type Topic =
  | { kind: 'room'; roomId: string }
  | { kind: 'typing'; roomId: string }
  | { kind: 'receipt'; roomId: string }
  | { kind: 'roomEvent'; roomId: string }
  | { kind: 'send'; userId: string }
  | { kind: 'inbox'; userId: string }
  | { kind: 'devicePresence'; userId: string; deviceId: string }
  | { kind: 'presence'; userId: string };

const ROOM_SUFFIX_KINDS = { typing: 'typing', receipt: 'receipt', event: 'roomEvent' } as const;
const USER_SUFFIX_KINDS = { send: 'send', inbox: 'inbox' } as const;

/** Parses a concrete topic (no wildcards). Anything outside the grammar is `undefined`. */
export function parseTopic(topic: string): Topic | undefined {
  const parts = topic.split('/');
  if (parts[0] !== 'chat' || parts.some((part) => part.length === 0)) return undefined;
  const [, area, id, suffix, extra] = parts;
  if (id === undefined || !isValidId(id)) return undefined;
  if (area === 'room') {
    if (parts.length === 3) return { kind: 'room', roomId: id };
    const kind = parts.length === 4 && suffix !== undefined ? lookup(ROOM_SUFFIX_KINDS, suffix) : undefined;
    return kind === undefined ? undefined : { kind, roomId: id };
  }
  if (area === 'user') {
    const kind = parts.length === 4 && suffix !== undefined ? lookup(USER_SUFFIX_KINDS, suffix) : undefined;
    return kind === undefined ? undefined : { kind, userId: id };
  }
  if (area === 'presence' && extra === undefined) {
    if (parts.length === 3) return { kind: 'presence', userId: id };
    if (suffix !== undefined && isValidId(suffix)) return { kind: 'devicePresence', userId: id, deviceId: suffix };
  }
  return undefined;
}

function lookup<T extends Record<string, string>>(table: T, key: string): T[keyof T] | undefined {
  return Object.hasOwn(table, key) ? table[key as keyof T] : undefined;
}

/** The topic a Topic value denotes; `formatTopic(parseTopic(t)) === t` for every valid t. */
export function formatTopic(topic: Topic): string {
  switch (topic.kind) {
    case 'room':
      return roomTopic(topic.roomId);
    case 'typing':
      return typingTopic(topic.roomId);
    case 'receipt':
      return receiptTopic(topic.roomId);
    case 'roomEvent':
      return roomEventTopic(topic.roomId);
    case 'send':
      return sendTopic(topic.userId);
    case 'inbox':
      return inboxTopic(topic.userId);
    case 'devicePresence':
      return devicePresenceTopic(topic.userId, topic.deviceId);
    case 'presence':
      return presenceTopic(topic.userId);
  }
}

/** MQTT client id of a device (docs/contract.md#mqtt-connect): a reconnecting device takes over its own session. */
export const deviceClientId = (userId: string, deviceId: string): string => `${checkedId('user', userId)}:${checkedId('device', deviceId)}`;
