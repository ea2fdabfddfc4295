import type { Config } from '../lib/config.js';
import type { Logger } from '../lib/log.js';
import type { Metrics } from '../lib/metrics.js';
import type { TokenService } from '../lib/tokens.js';
import type { RateLimiter } from '../lib/keyed-token-buckets.js';
import type { Publisher } from '../lib/publisher.js';
import type { Send } from '../schema/index.js';
import type { Db, DeliveryMark, PresenceReader, PushPlatform, SendResult } from '../store/index.js';
import type { DeviceLinks } from './events/device-links.js';

/** The REST limits (README, "Limits and failure behaviour"). */
export interface ApiLimits {
  /** Requests per minute per user device, or per IP address without a valid credential. */
  requestsPerMinute: number;
  adminRequestsPerMinute: number;
  /** Rooms one user may create per minute (and at once). */
  roomCreatesPerMinute: number;
  /** Members one POST /v1/rooms may name. */
  roomCreateMaxMembers: number;
}

/** The REST limits from the configuration. */
export const apiLimits = (config: Config): ApiLimits => ({
  requestsPerMinute: config.API_RATE_PER_MINUTE,
  adminRequestsPerMinute: config.API_ADMIN_RATE_PER_MINUTE,
  roomCreatesPerMinute: config.ROOM_CREATE_PER_MINUTE,
  roomCreateMaxMembers: config.ROOM_CREATE_MAX_MEMBERS,
});

export interface ApiDeps {
  db: Db;
  tokens: TokenService;
  adminToken: string;
  /** RoomEvents go out through it: the broker, in-process or over MQTT. */
  publisher: Publisher;
  presence: PresenceReader;
  /** The push platforms devices may register tokens for: those with a provider. */
  pushPlatforms: readonly PushPlatform[];
  /** A user fetched history up to this seq: it has the messages, so it needs no push for them. */
  recordDelivered(mark: DeliveryMark): void;
  /** The bridge's send pipeline: a REST send takes the same path as an MQTT one. */
  submitSend(sender: { userId: string; deviceId: string }, send: Send): Promise<SendResult>;
  /** End-to-end key distribution (docs/e2ee.md). */
  keys: {
    /** A device is told when a bundle fetch leaves it fewer one-time prekeys than this (0: never). */
    lowThreshold: number;
    /** Bundle fetches per calling user: each one drains one-time prekeys of someone else. */
    fetchLimiter: RateLimiter;
  };
  log: Logger;
  metrics: Metrics;
  maxPayloadBytes: number;
  limits: ApiLimits;
  /** The clock of the room-creation limit (defaults to Date.now). */
  now?: () => number;
  /** Readiness for /healthz besides the database (always checked): each named part answers true when healthy. */
  health?: Record<string, HealthCheck>;
  /** How long one health check may take before its part counts as down (default 1 s). */
  healthCheckTimeoutMs?: number;
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

export interface HealthCheck {
  check: () => Promise<boolean> | boolean;
  /** Down means this node cannot serve (503 "unavailable"); otherwise it serves with less (200 "degraded"). */
  critical: boolean;
}
