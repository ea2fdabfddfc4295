/**
 * @mqtt-chat/sdk: the client of the MQTT chat platform for phones, browsers and Node. Imports
 * only `@mqtt-chat/protocol` and MQTT.js, and no Node-only globals, so a bundler can ship it to a
 * browser (MQTT.js's browser build over ws:// or wss://). The API is `createChatClient`; the
 * rest are its types, its defaults, and the building blocks a simulator or a custom client uses.
 */
export { createChatClient } from './chat-client.js';
export type { ChatClient, ChatClientEvents, ChatOlderPage, ClientStats } from './client-api.js';
export { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_KEEPALIVE_SECONDS, DEFAULT_STABLE_AFTER_MS } from './chat-client.js';
export type { ChatClientDeps, ChatClientOptions, LogLevel } from './options.js';
export type { ClientStatus, ConnectedCode, ConnectingCode, DisconnectCode } from './status.js';
export type { SendHandle, SendResult, SendState, SendUpdate } from './send-handle.js';
export type { RoomSummary } from './room-summary.js';
export type { RoomState } from './room-registry.js';
export type { OlderPage } from './history-pager.js';
export type { PresenceChange } from './presence.js';
export type { PushRegistration, UserPresence } from './rest.js';
export type { EpochChanged, HistoryTruncated } from './room-sync.js';
export { isSdkError, SDK_ERRORS, SdkError, type SdkErrorCode } from './errors.js';
export { messageText } from './message-text.js';

/**
 * End-to-end encryption: the options and API (`client.e2ee`), the crypto port a Signal
 * implementation fills (libsignal in Node: `@mqtt-chat/sdk/e2ee-node`), and the stores.
 */
export type { DeviceSafetyNumber, E2ee, E2eeEvents, E2eeOptions, E2eeStats } from './e2ee/e2ee-api.js';
export type { ChatMessage, MessageE2ee } from './e2ee/opener.js';
export type { GroupStrategy } from './e2ee/sealer.js';
export type {
  GeneratedPreKey,
  GeneratedSignedPreKey,
  LocalIdentity,
  PairwiseCiphertext,
  PairwiseType,
  PreKeyBundle,
  SafetyNumber,
  SignalAddress,
  SignalCrypto,
} from './e2ee/crypto.js';
export { addressKey } from './e2ee/crypto.js';
export {
  createE2eeStores,
  createMemoryKeyValueStore,
  senderKeyKey,
  type E2eeStores,
  type IdentitySaved,
  type IdentityStore,
  type KeyValueStore,
  type RecordStore,
  type StoredKyberPreKey,
  type StoredPreKey,
  type StoredSignedPreKey,
} from './e2ee/stores.js';
export { DEFAULT_SIGNED_PREKEY_GRACE_MS, DEFAULT_SIGNED_PREKEY_ROTATION_MS, MAX_ONE_TIME_PREKEYS } from './e2ee/device-keys.js';
export { DEFAULT_MAX_ENVELOPE_BYTES, DEFAULT_PADDING_BLOCK_BYTES } from './e2ee/envelope.js';
export { E2EE_CONTENT_TYPE } from '@mqtt-chat/protocol';
/** The wire types an app meets in events (messages, room events, refusals). */
export { NackReason, RoomEventKind, type Message, type Nack, type RoomEvent } from '@mqtt-chat/protocol';

export { DEFAULT_ACK_TIMEOUT_MS, DEFAULT_MAX_OUTSTANDING_SENDS } from './outbox.js';
export { DEFAULT_GAP_WAIT_MS } from './room-sequencer.js';
export { DEFAULT_PING_TIMEOUT_MS } from './ping-driver.js';
export { DEFAULT_REST_TIMEOUT_MS, HISTORY_PAGE_LIMIT } from './rest.js';
export { backoffCeilingMs, backoffDelayMs, DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_CAP_MS, type BackoffOptions } from './backoff.js';

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
