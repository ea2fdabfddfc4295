/**
 * What a push carries (docs/push.md#payloads), as provider-neutral `PushMessage`s. Pure: the worker
 * reads the facts from the store and this decides the shape.
 *
 * - A message in an ordinary room: a visible alert, title = sender's display name, body = the
 *   first PREVIEW_MAX_CHARS characters of a text body, badge = the user's unread total.
 * - A message in an end-to-end-encrypted room: a data-only background "tickle" without sender
 *   or body (the server never reads them); the woken app fetches, decrypts and notifies itself.
 * - A retraction (the room was read on another device): a silent background push telling the
 *   app to withdraw the room's notifications up to `readSeq`, with the corrected badge.
 *
 * Every push of a room shares the collapse key `room:{roomId}`, so a burst is one notification,
 * and carries `data.dedupKey`, the same on every attempt, so the app drops a repeated push.
 */
import type { PushMessage } from './provider.js';

export const PREVIEW_MAX_CHARS = 100;
/** After a day a stored push is stale: the app syncs when it next opens anyway. */
export const PUSH_EXPIRY_MS = 24 * 3_600_000;
const GENERIC_BODY = 'New message';

export interface PushAddress {
  roomId: string;
  userId: string;
  deviceId: string;
  token: string;
}

export interface MessagePushFacts extends PushAddress {
  seq: number;
  encrypted: boolean;
  senderId: string;
  senderName: string;
  contentType: string;
  body: Uint8Array;
  badge: number;
  nowMs: number;
}

/**
 * `{roomId}:{seq}:{userId}:{deviceId}`: device ids are chosen per user (two users may both
 * have a "phone"), so the device is named by its MQTT client id `{userId}:{deviceId}`.
 */
export const messageDedupKey = (roomId: string, seq: number, userId: string, deviceId: string): string =>
  `${roomId}:${seq}:${userId}:${deviceId}`;
export const retractDedupKey = (roomId: string, readSeq: number, userId: string, deviceId: string): string =>
  `${roomId}:read${readSeq}:${userId}:${deviceId}`;
export const collapseKeyOf = (roomId: string): string => `room:${roomId}`;

export function messagePush(facts: MessagePushFacts): PushMessage {
  const data = {
    type: 'message',
    roomId: facts.roomId,
    seq: String(facts.seq),
    dedupKey: messageDedupKey(facts.roomId, facts.seq, facts.userId, facts.deviceId),
  };
  const common = { token: facts.token, collapseKey: collapseKeyOf(facts.roomId), expiresAtMs: facts.nowMs + PUSH_EXPIRY_MS };
  if (facts.encrypted) return { ...common, type: 'background', data: { ...data, badge: String(facts.badge) } };
  return {
    ...common,
    type: 'alert',
    alert: { title: facts.senderName, body: previewOf(facts.contentType, facts.body) ?? GENERIC_BODY },
    badge: facts.badge,
    data: { ...data, senderId: facts.senderId },
  };
}

export function retractPush(facts: PushAddress & { readSeq: number; badge: number; nowMs: number }): PushMessage {
  return {
    token: facts.token,
    type: 'background',
    badge: facts.badge,
    collapseKey: collapseKeyOf(facts.roomId),
    data: {
      type: 'retract',
      roomId: facts.roomId,
      readSeq: String(facts.readSeq),
      badge: String(facts.badge),
      dedupKey: retractDedupKey(facts.roomId, facts.readSeq, facts.userId, facts.deviceId),
    },
    expiresAtMs: facts.nowMs + PUSH_EXPIRY_MS,
  };
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
/** Generous: an emoji family sequence is about 25 bytes. */
const MAX_GRAPHEME_BYTES = 32;

/**
 * The first `maxChars` user-perceived characters of a text body (an emoji or an accented
 * letter is never cut in half), with an ellipsis when cut; undefined for a body that is not
 * text (an attachment, invalid UTF-8) or is blank.
 */
export function previewOf(contentType: string, body: Uint8Array, maxChars = PREVIEW_MAX_CHARS): string | undefined {
  const isText = contentType === '' || contentType.toLowerCase().startsWith('text/');
  if (!isText) return undefined;
  // Decodes a prefix, cut at a character boundary, so a 64 KiB body is never decoded whole.
  let end = Math.min(body.length, (maxChars + 1) * MAX_GRAPHEME_BYTES);
  while (end < body.length && end > 0 && (body[end]! & 0xc0) === 0x80) end -= 1; // a UTF-8 continuation byte
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body.subarray(0, end));
  } catch {
    return undefined;
  }
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const characters = [...graphemes.segment(trimmed)].slice(0, maxChars + 1).map((s) => s.segment);
  const isCut = characters.length > maxChars || end < body.length;
  return isCut ? `${characters.slice(0, maxChars).join('').trimEnd()}…` : characters.join('');
}
