/**
 * The REST error catalogue: every code the API can answer with, its HTTP status and what it
 * means. docs/errors.md is kept identical to this table by a test. Error bodies are
 * `{ "error": { "code", "message", "details"? } }` (docs/contract.md#error-bodies).
 */
import { AppError } from '../lib/errors.js';
import { STORE_ERRORS } from '../store/index.js';

export const API_ERRORS = {
  ERR_REQUEST_INVALID: {
    status: 400,
    description:
      'the body, query, path or a header does not match the call: a wrong type, an integer out of range, a text with a NUL or a lone surrogate',
  },
  ERR_REQUEST_INVALID_JSON: { status: 400, description: 'the body is not valid JSON' },
  ERR_REQUEST_TOO_LARGE: { status: 413, description: 'the body exceeds MAX_PAYLOAD_BYTES' },
  ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE: { status: 415, description: 'the body is not application/json' },
  ERR_ROUTE_NOT_FOUND: { status: 404, description: 'no such call' },
  ERR_AUTH_MISSING: { status: 401, description: 'no Authorization: Bearer credential' },
  ERR_AUTH_TOKEN_INVALID: { status: 401, description: 'the bearer credential is neither the admin token nor a valid user token' },
  ERR_AUTH_TOKEN_EXPIRED: { status: 401, description: 'the user token has expired; get a new one' },
  ERR_AUTH_TOKEN_REVOKED: {
    status: 401,
    description: "the user token was revoked (the admin revoked the device, or deleted the user); a device's token issued after it works",
  },
  ERR_AUTH_FORBIDDEN: { status: 403, description: 'the caller may not make this call (admin only, or a user-only call)' },
  ERR_ROOM_NOT_MEMBER: { status: 403, description: 'the caller is not a member of the room' },
  ERR_USER_NOT_FOUND: { status: 404, description: STORE_ERRORS.ERR_USER_NOT_FOUND },
  ERR_ROOM_NOT_FOUND: { status: 404, description: STORE_ERRORS.ERR_ROOM_NOT_FOUND },
  ERR_ROOM_DIRECT_IMMUTABLE: { status: 409, description: STORE_ERRORS.ERR_ROOM_DIRECT_IMMUTABLE },
  ERR_ROOM_VERSION_STALE: {
    status: 409,
    description: 'the send carried an old roomVersion: the membership changed; refresh the room (details.roomVersion) and resend',
  },
  ERR_HISTORY_TRUNCATED: { status: 410, description: STORE_ERRORS.ERR_HISTORY_TRUNCATED },
  ERR_ROOM_PRECONDITION_FAILED: { status: 412, description: STORE_ERRORS.ERR_ROOM_PRECONDITION_FAILED },
  ERR_MESSAGE_TOO_LARGE: { status: 413, description: 'the message body exceeds the configured maximum' },
  ERR_MESSAGE_INVALID: { status: 400, description: 'the message is malformed (room id, client message id or content type)' },
  ERR_DEVICE_NOT_OWN: {
    status: 403,
    description: "a device's push registration and keys can be read or changed only with that device's own token",
  },
  ERR_PUSH_PLATFORM_INVALID: { status: 400, description: 'platform must be apns or fcm, and enabled on this server' },
  ERR_PUSH_TOKEN_INVALID: {
    status: 400,
    description: 'the push token is malformed (APNs: 64 to 200 hex digits; FCM: 8 to 4096 printable ASCII characters)',
  },
  ERR_PUSH_TOKEN_NOT_FOUND: { status: 404, description: 'the device has no push token registered' },
  ERR_KEYS_INVALID_KEY: {
    status: 400,
    description:
      'a public key is malformed (details.field): EC keys are 33 bytes starting 0x05, Kyber1024 keys 1569 bytes starting 0x08, base64',
  },
  ERR_KEYS_BAD_SIGNATURE: {
    status: 400,
    description: "a signed prekey's or Kyber prekey's signature does not verify with the device's identity key (details.field)",
  },
  ERR_KEYS_ID_INVALID: {
    status: 400,
    description: 'a key id is outside 1..16777215, or the registration id outside 1..16383 (details.field)',
  },
  ERR_KEYS_DUPLICATE_ID: {
    status: 400,
    description: 'a key id appears twice in one upload (Kyber one-time and last-resort prekeys share one id space) (details.keyId)',
  },
  ERR_KEYS_TOO_MANY: { status: 400, description: 'more than 100 one-time prekeys of one kind in one upload' },
  ERR_KEYS_NOT_FOUND: { status: 404, description: STORE_ERRORS.ERR_KEYS_NOT_FOUND },
  ERR_KEYS_NOT_PEER: { status: 403, description: "the caller shares no room with this user, so it may not fetch the user's keys" },
  ERR_KEYS_DEVICE_LIMIT: { status: 409, description: STORE_ERRORS.ERR_KEYS_DEVICE_LIMIT },
  ERR_KEYS_ID_IN_USE: { status: 409, description: STORE_ERRORS.ERR_KEYS_ID_IN_USE },
  ERR_KEYS_STORE_FULL: { status: 409, description: STORE_ERRORS.ERR_KEYS_STORE_FULL },
  ERR_RATE_LIMITED: {
    status: 429,
    description:
      'the caller made too many requests, created too many rooms, or its device sent too fast; wait Retry-After seconds (details.retryAfterMs) and retry',
  },
  ERR_UNAVAILABLE: {
    status: 503,
    description: 'a dependency (the database, or Redis for presence) is down: nothing changed; retry after Retry-After seconds',
  },
  ERR_EVENTS_TICKET_INVALID: {
    status: 401,
    description: 'the event-stream ticket is malformed, expired or already used; get a new one with POST /v1/events/tickets',
  },
  ERR_EVENTS_NO_STREAM: {
    status: 409,
    description: 'this call needs the calling device to have an open event stream (GET /v1/events) on this server',
  },
  ERR_EVENTS_TOO_MANY_STREAMS: {
    status: 503,
    description: 'the server holds SSE_MAX_STREAMS event streams already; retry after Retry-After seconds, or connect over MQTT',
  },
  ERR_MEMBER_DISCONNECT_FAILED: {
    status: 503,
    description:
      'the member was removed, but disconnecting their devices from the external broker (EMQX_API_URL) failed, so they may still receive the room until they reconnect; repeat the DELETE, which disconnects them again',
  },
  ERR_WEB_APP_NOT_BUILT: { status: 503, description: 'the web chat page has not been built: run npm run build:web (npm start does)' },
  ERR_INTERNAL: { status: 500, description: 'an unexpected server error; nothing about it is revealed' },
} as const satisfies Record<string, { status: number; description: string }>;

export type ApiErrorCode = keyof typeof API_ERRORS;

export const apiError = (code: ApiErrorCode, message?: string, details?: Record<string, unknown>): AppError<ApiErrorCode> =>
  new AppError(code, message ?? API_ERRORS[code].description, details === undefined ? {} : { details });

export const isApiErrorCode = (code: string): code is ApiErrorCode => Object.hasOwn(API_ERRORS, code);
