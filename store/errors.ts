import { AppError } from '../lib/errors.js';

/** Error codes of the data layer; the API maps each to an HTTP status (api/errors.ts). */
export const STORE_ERRORS = {
  ERR_USER_NOT_FOUND: 'no user has this id',
  ERR_ROOM_NOT_FOUND: 'no room has this id',
  ERR_ROOM_PRECONDITION_FAILED: 'the room changed since the version given in If-Match',
  ERR_ROOM_DIRECT_IMMUTABLE: 'a direct room has exactly its two members; they cannot change',
  ERR_HISTORY_TRUNCATED: 'the requested history was removed by retention; resync from the oldest retained message',
  ERR_UNAVAILABLE: 'the database is unreachable right now; retry shortly',
} as const;

export type StoreErrorCode = keyof typeof STORE_ERRORS;

export const storeError = (code: StoreErrorCode, details?: Record<string, unknown>): AppError<StoreErrorCode> =>
  new AppError(code, STORE_ERRORS[code], details === undefined ? {} : { details });
