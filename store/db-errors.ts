/**
 * What a failed database call means for its caller, decided once here for both drivers
 * (PGlite and `pg` report SQLSTATE codes the same way): the data was refused (retrying
 * without the offending row helps), the database is unreachable (nothing helps but waiting:
 * ERR_UNAVAILABLE, which the API answers 503 with Retry-After and the bridge a retryable Nack),
 * or anything else (a bug: passed on unchanged). `withTypedErrors` applies it to a whole `Db`.
 */
import { AppError, isAppError } from '../lib/errors.js';
import type { Db, Queryable } from './db.js';
import { STORE_ERRORS } from './errors.js';

export const DB_ERRORS = {
  /** SQLSTATE class 22 (data exception) or 23 (integrity constraint): a row's values, not the database. */
  ERR_DB_DATA_REJECTED: 'the database refused a value (invalid text, out of range, or a constraint)',
  /** Connection refused, lost or reset; the server shutting down, starting up or out of connections. */
  ERR_UNAVAILABLE: STORE_ERRORS.ERR_UNAVAILABLE,
} as const;

/** How soon trying again makes sense: the pool opens a new connection on the next call, so recovery follows the server within this. */
export const UNAVAILABLE_RETRY_AFTER_MS = 1000;

export type DbErrorCode = keyof typeof DB_ERRORS;

/** SQLSTATE classes that blame a row's data: 22 data exception, 23 integrity constraint violation. */
const DATA_CLASSES = new Set(['22', '23']);
/** 08 connection exception, 53 insufficient resources (too many connections, disk full), 57P0x shutdown/starting up. */
const UNAVAILABLE_CLASSES = new Set(['08', '53']);
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03']);
/** Node's socket errors on the way to the server. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
]);
/**
 * `pg` reports a connection that died or never came up with plain Errors and no code; these
 * are its messages (pg 8: client.js and pg-pool), plus PGlite's once it is closed.
 */
const LOST_CONNECTION_MESSAGES = [
  'Connection terminated',
  'connection error and is not queryable',
  'Client was closed and is not queryable',
  'timeout exceeded when trying to connect',
  'Cannot use a pool after calling end on the pool',
  'Connection ended',
  'connection timeout',
  'PGlite is closed',
];

const fieldOf = (error: object, name: string): unknown => (error as Record<string, unknown>)[name];

/** The kind of failure `error` is, or undefined when it is neither about data nor about reaching the database. */
export function classifyDbError(error: unknown): DbErrorCode | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  if (isAppError(error)) return error.code in DB_ERRORS ? (error.code as DbErrorCode) : undefined;
  const code = fieldOf(error, 'code');
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    if (DATA_CLASSES.has(code.slice(0, 2))) return 'ERR_DB_DATA_REJECTED';
    if (UNAVAILABLE_CLASSES.has(code.slice(0, 2)) || UNAVAILABLE_STATES.has(code)) return 'ERR_UNAVAILABLE';
    return undefined;
  }
  if (typeof code === 'string' && SOCKET_CODES.has(code)) return 'ERR_UNAVAILABLE';
  // A Unix socket whose file is gone (the server is stopped) fails to connect with ENOENT.
  if (code === 'ENOENT' && fieldOf(error, 'syscall') === 'connect') return 'ERR_UNAVAILABLE';
  const message = error instanceof Error ? error.message : '';
  if (LOST_CONNECTION_MESSAGES.some((text) => message.includes(text))) return 'ERR_UNAVAILABLE';
  // Node's happy-eyeballs connect rejects with an AggregateError of one socket error per address.
  if (error instanceof AggregateError && error.errors.length > 0 && error.errors.every((e) => classifyDbError(e) === 'ERR_UNAVAILABLE')) {
    return 'ERR_UNAVAILABLE';
  }
  return undefined;
}

/** A lost or refused connection, a server shutting down or starting up: the database cannot be reached now. */
export const isConnectionFailure = (error: unknown): boolean => classifyDbError(error) === 'ERR_UNAVAILABLE';

/** ERR_UNAVAILABLE for a caller; the message is the catalogue's (no server address), what happened is in `cause`. */
export function databaseUnavailable(cause: unknown): AppError<'ERR_UNAVAILABLE'> {
  return new AppError('ERR_UNAVAILABLE', STORE_ERRORS.ERR_UNAVAILABLE, {
    cause,
    details: { dependency: 'database', retryAfterMs: UNAVAILABLE_RETRY_AFTER_MS },
  });
}

/** `error` as a typed AppError when it is a data refusal or an outage; anything else unchanged. */
export function translateDbError(error: unknown): unknown {
  const code = classifyDbError(error);
  if (code === undefined || isAppError(error)) return error;
  if (code === 'ERR_UNAVAILABLE') return databaseUnavailable(error);
  const sqlState = fieldOf(error as object, 'code');
  return new AppError(code, DB_ERRORS[code], {
    cause: error,
    details: typeof sqlState === 'string' ? { sqlState } : {},
  });
}

export const isDbError = (error: unknown, code: DbErrorCode): error is AppError<DbErrorCode> => isAppError(error) && error.code === code;

async function translated<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw translateDbError(error);
  }
}

function typedQueryable(q: Queryable): Queryable {
  return {
    query: (sql, params) => translated(() => q.query(sql, params)),
    exec: (sql) => translated(() => q.exec(sql)),
  };
}

/** `db` with every failure translated once, so callers branch on codes instead of driver internals. */
export function withTypedErrors(db: Db): Db {
  return {
    kind: db.kind,
    ...typedQueryable(db),
    transaction: (work) => translated(() => db.transaction((tx) => work(typedQueryable(tx)))),
    close: () => db.close(),
  };
}
