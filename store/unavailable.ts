/**
 * Which database failures mean "the database is unreachable right now" rather than "this
 * statement is wrong": a lost or refused connection, a server shutting down or starting up.
 * Those become one typed error, ERR_UNAVAILABLE, which callers treat as retryable (the API
 * answers 503 with Retry-After, the bridge a retryable Nack); every other error passes through.
 */
import { AppError } from '../lib/errors.js';
import { STORE_ERRORS } from './errors.js';

/** How soon trying again makes sense: the pool opens a new connection on the next call, so recovery follows the server within this. */
export const UNAVAILABLE_RETRY_AFTER_MS = 1000;

/** Socket errors of a connection that could not be made or was lost. */
const CONNECTION_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENOENT', // a Unix socket path whose server is not running
]);

/** SQLSTATEs of a server going away or not there yet: admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections. */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** What pg and pg-pool say, without an errno, when a connection ends or cannot be had in time. */
const LOST_CONNECTION_MESSAGE =
  /Connection terminated|not queryable|timeout exceeded when trying to connect|connection timeout|Client was closed|Connection ended/i;

export function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (CONNECTION_ERRNOS.has(code) || UNAVAILABLE_SQLSTATES.has(code)) return true;
    if (/^08[0-9A-Z]{3}$/.test(code)) return true; // class 08: connection exception
  }
  return LOST_CONNECTION_MESSAGE.test(error.message);
}

/** ERR_UNAVAILABLE for a caller; the message is the catalogue's (no server address), what happened is in `cause`. */
export function databaseUnavailable(cause: unknown): AppError<'ERR_UNAVAILABLE'> {
  return new AppError('ERR_UNAVAILABLE', STORE_ERRORS.ERR_UNAVAILABLE, {
    cause,
    details: { dependency: 'database', retryAfterMs: UNAVAILABLE_RETRY_AFTER_MS },
  });
}

/** `error` as ERR_UNAVAILABLE when it is a connection failure; otherwise unchanged. */
export function translateConnectionFailure(error: unknown): unknown {
  return isConnectionFailure(error) ? databaseUnavailable(error) : error;
}
