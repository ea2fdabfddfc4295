/**
 * The REST error catalogue: every code the API can answer with, its HTTP status and what it
 * means. docs/errors.md is kept identical to this table by a test. Error bodies are
 * `{ "error": { "code", "message", "details"? } }` (DESIGN §11).
 */
import { AppError } from '../lib/errors.js';
import { STORE_ERRORS } from '../store/index.js';

export const API_ERRORS = {
  ERR_REQUEST_INVALID: { status: 400, description: 'the body, query or path does not match the schema of the call' },
  ERR_REQUEST_INVALID_JSON: { status: 400, description: 'the body is not valid JSON' },
  ERR_REQUEST_TOO_LARGE: { status: 413, description: 'the body exceeds MAX_PAYLOAD_BYTES' },
  ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE: { status: 415, description: 'the body is not application/json' },
  ERR_ROUTE_NOT_FOUND: { status: 404, description: 'no such call' },
  ERR_AUTH_MISSING: { status: 401, description: 'no Authorization: Bearer credential' },
  ERR_AUTH_TOKEN_INVALID: { status: 401, description: 'the bearer credential is neither the admin token nor a valid user token' },
  ERR_AUTH_TOKEN_EXPIRED: { status: 401, description: 'the user token has expired; get a new one' },
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
  ERR_DEVICE_NOT_OWN: { status: 403, description: "a device's push registration can be changed only with that device's own token" },
  ERR_PUSH_PLATFORM_INVALID: { status: 400, description: 'platform must be apns or fcm, and enabled on this server' },
  ERR_PUSH_TOKEN_INVALID: {
    status: 400,
    description: 'the push token is malformed (APNs: 64 to 200 hex digits; FCM: 8 to 4096 printable ASCII characters)',
  },
  ERR_PUSH_TOKEN_NOT_FOUND: { status: 404, description: 'the device has no push token registered' },
  ERR_RATE_LIMITED: {
    status: 429,
    description: 'the caller made too many requests; wait Retry-After seconds (details.retryAfterMs) and retry',
  },
  ERR_UNAVAILABLE: {
    status: 503,
    description: 'a dependency (the database) is unreachable: nothing was changed; retry after Retry-After seconds',
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
  ERR_WEB_APP_NOT_BUILT: { status: 503, description: 'the web chat page has not been built: run npm run build:web (npm start does)' },
  ERR_INTERNAL: { status: 500, description: 'an unexpected server error; nothing about it is revealed' },
} as const satisfies Record<string, { status: number; description: string }>;

export type ApiErrorCode = keyof typeof API_ERRORS;

export const apiError = (code: ApiErrorCode, message?: string, details?: Record<string, unknown>): AppError<ApiErrorCode> =>
  new AppError(code, message ?? API_ERRORS[code].description, details === undefined ? {} : { details });

export const isApiErrorCode = (code: string): code is ApiErrorCode => Object.hasOwn(API_ERRORS, code);
