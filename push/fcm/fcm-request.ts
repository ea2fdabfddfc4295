/**
 * PushMessage → FCM HTTP v1 `messages:send` body (firebase.google.com/docs/reference/fcm/rest/v1/projects.messages).
 * One message serves both Android and iOS devices registered with FCM, so it carries the Android
 * options and the APNs headers FCM forwards. Pure, so the wire shape is tested without a socket.
 */
import { apnsCollapseId } from '../apns/apns-request.js';
import type { PushMessage } from '../provider.js';

export interface FcmSendBody {
  message: {
    token: string;
    data: Record<string, string>;
    notification?: { title: string; body: string };
    android: { collapse_key: string; priority: 'high' | 'normal'; ttl: string };
    apns: { headers: Record<string, string>; payload: { aps: Record<string, number> } };
  };
}

export function buildFcmSendBody(message: PushMessage, nowMs: number): FcmSendBody {
  const isAlert = message.type === 'alert';
  // FCM's ttl is a Duration string; 0 means "now or never", like an expired APNs push.
  const ttlSeconds = Math.max(0, Math.ceil((message.expiresAtMs - nowMs) / 1000));
  const aps = {
    ...(message.badge === undefined ? {} : { badge: message.badge }),
    ...(isAlert ? {} : { 'content-available': 1 }),
  };
  return {
    message: {
      token: message.token,
      data: { ...message.data },
      ...(isAlert && message.alert !== undefined ? { notification: { title: message.alert.title, body: message.alert.body } } : {}),
      android: { collapse_key: message.collapseKey, priority: isAlert ? 'high' : 'normal', ttl: `${ttlSeconds}s` },
      apns: {
        headers: {
          'apns-collapse-id': apnsCollapseId(message.collapseKey),
          'apns-priority': isAlert ? '10' : '5',
          'apns-expiration': String(Math.max(0, Math.floor(message.expiresAtMs / 1000))),
          // Apple requires the push type on silent pushes; FCM passes the header through.
          ...(isAlert ? {} : { 'apns-push-type': 'background' }),
        },
        payload: { aps },
      },
    },
  };
}
