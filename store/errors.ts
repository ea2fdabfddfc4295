import { AppError } from '../lib/errors.js';

/** Error codes of the data layer; the API maps each to an HTTP status (api/errors.ts). */
export const STORE_ERRORS = {
  ERR_USER_NOT_FOUND: 'no user has this id',
  ERR_ROOM_NOT_FOUND: 'no room has this id',
  ERR_ROOM_PRECONDITION_FAILED: 'the room changed since the version given in If-Match',
  ERR_ROOM_DIRECT_IMMUTABLE: 'a direct room has exactly its two members; they cannot change',
  ERR_HISTORY_TRUNCATED: 'the requested history was removed by retention; resync from the oldest retained message',
  ERR_UNAVAILABLE: 'the database is unreachable right now; retry shortly',
  ERR_KEYS_NOT_FOUND: 'the device has uploaded no keys yet (PUT /v1/devices/{deviceId}/keys first)',
  ERR_KEYS_DEVICE_LIMIT: 'the user already has 127 devices with keys (Signal device ids are 1..127); delete the keys of an unused device',
  ERR_KEYS_ID_IN_USE:
    'the server already holds a one-time prekey with this id and another public key for the device (details.kind, details.keyId)',
  ERR_KEYS_STORE_FULL: 'the device would hold more than 1000 one-time prekeys of one kind (details.max); upload fewer',
} as const;

export type StoreErrorCode = keyof typeof STORE_ERRORS;

export const storeError = (code: StoreErrorCode, details?: Record<string, unknown>): AppError<StoreErrorCode> =>
  new AppError(code, STORE_ERRORS[code], details === undefined ? {} : { details });
