/** The client SDK a phone app embeds: imports only `schema/` and npm packages (DESIGN §2). */
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
} from './chat-client.js';
export type { ClientStatus, ConnectingCode, DisconnectCode } from './status.js';
export type { RoomState } from './room-registry.js';
export type { EpochChanged, HistoryTruncated } from './room-sync.js';
export { DEFAULT_ACK_TIMEOUT_MS, DEFAULT_MAX_OUTSTANDING_SENDS, type SendResult } from './outbox.js';
export { DEFAULT_GAP_WAIT_MS } from './room-sequencer.js';
export { DEFAULT_PING_TIMEOUT_MS } from './ping-driver.js';
export { backoffCeilingMs, backoffDelayMs, DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_CAP_MS, type BackoffOptions } from './backoff.js';
export { isSdkError, SDK_ERRORS, SdkError, type SdkErrorCode } from './errors.js';
export { createFixedHeartbeat, type HeartbeatPolicy } from './heartbeat/heartbeat-policy.js';
export {
  createAdaptiveHeartbeat,
  DEFAULT_HEARTBEAT_INITIAL_INTERVAL_MS,
  DEFAULT_HEARTBEAT_MAX_INTERVAL_MS,
  DEFAULT_HEARTBEAT_MIN_INTERVAL_MS,
  DEFAULT_HEARTBEAT_SAFETY_MARGIN_MS,
  type AdaptiveHeartbeat,
  type AdaptiveHeartbeatOptions,
  type AdaptiveHeartbeatState,
} from './heartbeat/adaptive-heartbeat.js';
export type { PushRegistration } from './rest.js';
export { parsePushNotice, type PushNotice } from './push-notice.js';
export {
  createNotificationCenter,
  MAX_SHOWN_PER_ROOM,
  PLACEHOLDER_TEXT,
  type NotificationCenter,
  type NotificationCenterDeps,
  type NotificationChange,
  type PushHandling,
  type ShownNotification,
} from './notification-center.js';
