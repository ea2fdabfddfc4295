/**
 * The seam between the push worker and the providers (docs/push.md#provider-answers-and-retries):
 * one `PushProvider` per platform (APNs, FCM) turns a provider-neutral `PushMessage` into the
 * provider's wire request and classifies the answer into a `PushOutcome` the worker can act on
 * without knowing which provider spoke.
 */

import type { PushPlatform } from '../store/index.js';

export type { PushPlatform };

export interface PushMessage {
  /** The device's provider token (APNs: hex device token; FCM: registration token). */
  token: string;
  /**
   * `alert` shows a notification (title/body/badge/sound); `background` is data-only and silent:
   * the tickle for end-to-end-encrypted rooms and the retraction after a read on another device.
   */
  type: 'alert' | 'background';
  /** Present for `alert`; a generic text when the body must not leave the server (E2EE). */
  alert?: { title: string; body: string };
  /** The app icon badge: the user's unread count across rooms. */
  badge?: number;
  /** One per room, so a burst of messages collapses into one visible notification. */
  collapseKey: string;
  /** String-only key/values the woken app reads (room id, seq, kind…): FCM `data`, APNs custom keys. */
  data: Record<string, string>;
  /** Epoch milliseconds after which the provider may drop it instead of storing it for an offline device. */
  expiresAtMs: number;
}

export type PushOutcome =
  /** Accepted by the provider; `providerId` is `apns-id` or FCM's message `name`. */
  | { kind: 'delivered'; providerId: string }
  /** The token is dead (APNs 410 Unregistered / 400 BadDeviceToken, FCM 404 UNREGISTERED / 400 on the token): delete it. */
  | { kind: 'token-dead'; reason: string }
  /** Try again later (429, 500, 503, timeout, connection lost); `retryAfterMs` when the provider said how long. */
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  /** Refused for good (other 400, 403, 413): never retried, logged with the reason. */
  | { kind: 'rejected'; reason: string };

export interface PushProvider {
  readonly platform: PushPlatform;
  /** Never throws for provider or network errors: they are outcomes. Times out by itself. */
  send(message: PushMessage): Promise<PushOutcome>;
  close(): Promise<void>;
}
