/**
 * PushMessage → APNs request (Apple, "Sending notification requests to APNs"): the headers that
 * steer delivery and the JSON payload the device sees. Pure, so the wire shape is tested without
 * a socket.
 */
import { createHash } from 'node:crypto';
import type { PushMessage } from '../provider.js';

/** APNs refuses a longer `apns-collapse-id` with 400 BadCollapseId. */
export const APNS_COLLAPSE_ID_MAX_BYTES = 64;

export interface ApnsRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export function buildApnsRequest(message: PushMessage, options: { topic: string; apnsId: string }): ApnsRequest {
  const isAlert = message.type === 'alert';
  return {
    path: `/3/device/${encodeURIComponent(message.token)}`,
    headers: {
      'apns-push-type': message.type,
      // Apple: background pushes must use priority 5; 10 is for alerts the user sees at once.
      'apns-priority': isAlert ? '10' : '5',
      'apns-topic': options.topic,
      'apns-collapse-id': apnsCollapseId(message.collapseKey),
      'apns-expiration': String(Math.max(0, Math.floor(message.expiresAtMs / 1000))),
      'apns-id': options.apnsId,
      'content-type': 'application/json',
    },
    body: JSON.stringify(isAlert ? alertPayload(message) : backgroundPayload(message)),
  };
}

function alertPayload(message: PushMessage): Record<string, unknown> {
  const aps = {
    ...(message.alert === undefined ? {} : { alert: { title: message.alert.title, body: message.alert.body } }),
    ...(message.badge === undefined ? {} : { badge: message.badge }),
    sound: 'default',
    // Groups the room's notifications in Notification Center.
    'thread-id': message.collapseKey,
  };
  // Custom keys sit beside `aps`; `aps` last so data can never overwrite it.
  return { ...message.data, aps };
}

function backgroundPayload(message: PushMessage): Record<string, unknown> {
  const aps = { 'content-available': 1, ...(message.badge === undefined ? {} : { badge: message.badge }) };
  return { ...message.data, aps };
}

/** The collapse key itself when it fits, otherwise a digest of it, so long keys still collapse per room. */
export function apnsCollapseId(collapseKey: string): string {
  if (Buffer.byteLength(collapseKey) <= APNS_COLLAPSE_ID_MAX_BYTES) return collapseKey;
  return createHash('sha256').update(collapseKey).digest('base64url');
}

// Fixed namespace of this platform's apns-ids (RFC 9562 §5.5): the same dedup key always names the same push.
const APNS_ID_NAMESPACE = Buffer.from('6f1c2b0e8d5a4c3f9e7b1a2d3c4e5f60', 'hex');

/**
 * `apns-id` for a push: a UUIDv5 of `data.dedupKey` when present, so a retried push carries the
 * same id and Apple's and our logs line up; otherwise a fresh random UUID.
 */
export function apnsIdFor(message: PushMessage, randomUuid: () => string): string {
  const dedupKey = message.data['dedupKey'];
  if (dedupKey === undefined) return randomUuid();
  const bytes = createHash('sha1').update(APNS_ID_NAMESPACE).update(dedupKey).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
