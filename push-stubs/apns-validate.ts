/**
 * The APNs stub's request checks, with Apple's status codes and reasons ("Handling notification
 * responses from APNs"). Pure: headers and body in, the accepted request or a refusal out.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** Apple's limit for alert and background pushes (VoIP allows 5120). */
export const APNS_MAX_PAYLOAD_BYTES = 4096;
const PUSH_TYPES = new Set([
  'alert',
  'background',
  'location',
  'voip',
  'complication',
  'fileprovider',
  'mdm',
  'liveactivity',
  'pushtotalk',
]);
const PRIORITIES = new Set(['1', '5', '10']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Device tokens are hex strings (32 bytes today; Apple warns the length may change). */
const DEVICE_TOKEN = /^[0-9a-f]{16,200}$/i;
const TOPIC = /^[A-Za-z0-9.-]+$/;

export interface ApnsPush {
  topic: string;
  pushType: string;
  priority: number;
  expiration: number | undefined;
  collapseId: string | undefined;
  apnsId: string | undefined;
  payload: Record<string, unknown>;
}

export type ApnsCheck = { ok: true; push: ApnsPush } | { ok: false; status: number; reason: string };

const refuse = (status: number, reason: string): ApnsCheck => ({ ok: false, status, reason });

export function checkApnsRequest(
  request: { token: string; headers: IncomingHttpHeaders; rawHeaders: string[]; body: Buffer },
  topics: ReadonlySet<string>,
): ApnsCheck {
  const { headers } = request;
  if (hasRepeatedApnsHeader(request.rawHeaders)) return refuse(400, 'DuplicateHeaders');
  const topic = single(headers['apns-topic']);
  if (topic === undefined) return refuse(400, 'MissingTopic');
  if (!TOPIC.test(topic)) return refuse(400, 'BadTopic');
  if (!topics.has(topic)) return refuse(400, 'TopicDisallowed');
  const pushType = single(headers['apns-push-type']) ?? 'alert';
  if (!PUSH_TYPES.has(pushType)) return refuse(400, 'InvalidPushType');
  const priority = single(headers['apns-priority']) ?? '10';
  if (!PRIORITIES.has(priority)) return refuse(400, 'BadPriority');
  const expiration = single(headers['apns-expiration']);
  if (expiration !== undefined && !/^\d+$/.test(expiration)) return refuse(400, 'BadExpirationDate');
  const collapseId = single(headers['apns-collapse-id']);
  if (collapseId !== undefined && Buffer.byteLength(collapseId) > 64) return refuse(400, 'BadCollapseId');
  const apnsId = single(headers['apns-id']);
  if (apnsId !== undefined && !UUID.test(apnsId)) return refuse(400, 'BadMessageId');
  if (request.token === '') return refuse(400, 'MissingDeviceToken');
  if (!DEVICE_TOKEN.test(request.token)) return refuse(400, 'BadDeviceToken');
  const payload = checkPayload(request.body);
  if (typeof payload === 'string') return refuse(payload === 'PayloadTooLarge' ? 413 : 400, payload);
  return {
    ok: true,
    push: {
      topic,
      pushType,
      priority: Number(priority),
      expiration: expiration === undefined ? undefined : Number(expiration),
      collapseId,
      apnsId,
      payload,
    },
  };
}

/** A JSON object with an `aps` dictionary, within the size limit. */
function checkPayload(body: Buffer): Record<string, unknown> | string {
  if (body.length === 0) return 'PayloadEmpty';
  if (body.length > APNS_MAX_PAYLOAD_BYTES) return 'PayloadTooLarge';
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch {
    // Apple documents no reason for malformed JSON; this one is the stub's own.
    return 'BadPayload';
  }
  const isDictionary = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isDictionary(payload) || !isDictionary((payload as { aps?: unknown }).aps)) return 'BadPayload';
  return payload as Record<string, unknown>;
}

function hasRepeatedApnsHeader(rawHeaders: string[]): boolean {
  const names = rawHeaders.filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase());
  const apnsNames = names.filter((name) => name.startsWith('apns-') || name === 'authorization');
  return new Set(apnsNames).size !== apnsNames.length;
}

const single = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);
