/** The client SDK a phone app embeds: imports only `schema/` and npm packages (docs/architecture.md#parts-and-dependency-direction). */
export { realClock, type Clock, type TimerHandle } from './clock.js';
export {
  createTypingSender,
  TYPING_IDLE_STOP_MS,
  TYPING_RENEW_INTERVAL_MS,
  type TypingSender,
  type TypingSenderDeps,
  type TypingSenderOptions,
} from './typing/typing-sender.js';
export {
  createTypingReceiver,
  TYPING_EXPIRY_MS,
  type TypingReceiver,
  type TypingReceiverDeps,
  type TypingReceiverOptions,
} from './typing/typing-receiver.js';
export {
  createChatClient,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_KEEPALIVE_SECONDS,
  DEFAULT_STABLE_AFTER_MS,
  type ChatClient,
  type ChatClientDeps,
  type ChatClientEvents,
  type ChatClientOptions,
  type ClientStats,
  type LogLevel,
} from './sdk/chat-client.js';
export type { ClientStatus, ConnectingCode, DisconnectCode } from './sdk/status.js';
export type { RoomState } from './sdk/room-registry.js';
export type { EpochChanged, HistoryTruncated } from './sdk/room-sync.js';
export { DEFAULT_ACK_TIMEOUT_MS, DEFAULT_MAX_OUTSTANDING_SENDS, type SendResult } from './sdk/outbox.js';
export { DEFAULT_GAP_WAIT_MS } from './sdk/room-sequencer.js';
export { DEFAULT_PING_TIMEOUT_MS } from './sdk/ping-driver.js';
export { backoffCeilingMs, backoffDelayMs, DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_CAP_MS, type BackoffOptions } from './sdk/backoff.js';
export { isSdkError, SDK_ERRORS, SdkError, type SdkErrorCode } from './sdk/errors.js';
export { createFixedHeartbeat, type HeartbeatPolicy } from './heartbeat/heartbeat-policy.js';
export {
  createAdaptiveHeartbeat,
  type AdaptiveHeartbeat,
  type AdaptiveHeartbeatOptions,
  type AdaptiveHeartbeatState,
} from './heartbeat/adaptive-heartbeat.js';
export type { PushRegistration } from './sdk/rest.js';
export { parsePushNotice, type PushNotice } from './sdk/push-notice.js';
export {
  createNotificationCenter,
  MAX_SHOWN_PER_ROOM,
  PLACEHOLDER_TEXT,
  type NotificationCenter,
  type NotificationCenterDeps,
  type NotificationChange,
  type PushHandling,
  type ShownNotification,
} from './sdk/notification-center.js';
