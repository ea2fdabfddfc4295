import type { Logger } from '../lib/log.js';
import type { Metrics } from '../lib/metrics.js';
import type { TokenService } from '../lib/tokens.js';
import type { Send } from '../schema/index.js';
import type { Db, DeliveryMark, PushPlatform, StoredMessage } from '../store/index.js';
import type { Nack } from '../schema/index.js';
import type { DeviceLinks } from './events/device-links.js';

/** What the API publishes to devices (RoomEvents): the broker, in-process or over MQTT. */
export interface Publisher {
  publish(topic: string, payload: Uint8Array, options: { qos: 0 | 1 }): Promise<void>;
}

export type SendOutcome = { status: 'stored' | 'duplicate'; message: StoredMessage } | { status: 'rejected'; nack: Nack };

/** Presence soft state as the API reads it (GET /v1/presence). */
export interface PresenceReader {
  read(userIds: readonly string[]): Promise<Map<string, { online: boolean; lastSeenMs: number }>>;
}

export interface ApiDeps {
  db: Db;
  tokens: TokenService;
  adminToken: string;
  publisher: Publisher;
  presence: PresenceReader;
  /** The push platforms devices may register tokens for: those with a provider. */
  pushPlatforms: readonly PushPlatform[];
  /** A user fetched history up to this seq: it has the messages, so it needs no push for them. */
  recordDelivered(mark: DeliveryMark): void;
  /** The bridge's send pipeline: a REST send takes the same path as an MQTT one. */
  submitSend(sender: { userId: string; deviceId: string }, send: Send): Promise<SendOutcome>;
  log: Logger;
  metrics: Metrics;
  maxPayloadBytes: number;
  /** Readiness for /healthz: each named part answers true when healthy. */
  health?: Record<string, () => Promise<boolean>>;
  /** Connections to the broker as a device, for event streams (the SSE fallback). */
  deviceLinks: DeviceLinks;
  events: EventStreamLimits;
  /** Origins allowed to call the API from another origin's page (CORS_ORIGINS); empty: same origin only. */
  corsOrigins: readonly string[];
  /** DEV_SIGNIN: POST /v1/dev/signin exists. */
  devSignIn: boolean;
  /** The built web chat page, served at /app; undefined: no page. */
  webRoot?: string;
}

/** SSE_* configuration. */
export interface EventStreamLimits {
  heartbeatMs: number;
  maxStreams: number;
  maxBufferedBytes: number;
  replayMaxMessages: number;
}
