import pg from 'pg';
import { redactUrl } from '../lib/dependency-url.js';
import { AppError } from '../lib/errors.js';
import type { Db, Queryable } from './db.js';
import { isConnectionFailure, translateDbError } from './db-errors.js';

// int8 (seq, timestamps in ms) as JS numbers: they stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export const DEFAULT_MAX_CONNECTIONS = 10;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
/** TCP keepalive probes start after this much silence, so a connection to a vanished host is noticed. */
const KEEPALIVE_INITIAL_DELAY_MS = 10_000;

export interface PostgresOptions {
  maxConnections?: number;
  /** How long getting a connection may take (opening one, or waiting for a free one) before the call fails with ERR_UNAVAILABLE. */
  connectTimeoutMs?: number;
}

/**
 * PostgreSQL through a `pg` pool. The server may go away at any time (a restart, a failover):
 * a lost connection fails only the call that was using it, with ERR_UNAVAILABLE, and the pool
 * opens fresh connections on demand, so calls succeed again as soon as the server is back.
 */
export async function openPostgresDb(connectionString: string, options: PostgresOptions = {}): Promise<Db> {
  const pool = new pg.Pool({
    connectionString,
    max: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_INITIAL_DELAY_MS,
  });
  // An idle client that loses its server emits 'error' on the pool, which then drops it; without a listener that kills the process.
  pool.on('error', () => undefined);
  await checkReachable(pool, connectionString);

  async function connect(): Promise<pg.PoolClient> {
    try {
      return await pool.connect();
    } catch (error) {
      throw translateDbError(error);
    }
  }

  return {
    kind: 'postgres',
    ...queryable(pool),
    async transaction(work) {
      const conn = await connect();
      // A checked-out client has no pool listener: the server ending its connection (a shutdown's
      // FATAL 57P01, a reset) would be an unhandled 'error' event, fatal to the process. Noted
      // here instead; the statement in flight, or the next one, fails on its own.
      let lost: Error | undefined;
      const onError = (error: Error) => (lost ??= error);
      conn.on('error', onError);
      try {
        await conn.query('BEGIN');
        const result = await work(queryable(conn));
        await conn.query('COMMIT');
        return result;
      } catch (error) {
        if (lost === undefined) await conn.query('ROLLBACK').catch((rollbackError: Error) => (lost ??= rollbackError));
        throw translateDbError(error);
      } finally {
        conn.off('error', onError);
        // A client whose connection failed is destroyed rather than pooled for the next caller.
        conn.release(lost);
      }
    },
    close: () => pool.end(),
  };
}

function queryable(conn: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query(sql, params) {
      try {
        const result = await conn.query(sql, params === undefined ? [] : [...params]);
        return { rows: result.rows as never[] };
      } catch (error) {
        throw translateDbError(error);
      }
    },
    async exec(sql) {
      try {
        await conn.query(sql); // no parameters: the simple protocol, which allows several statements
      } catch (error) {
        throw translateDbError(error);
      }
    },
  };
}

/**
 * Fails fast at start-up when the server cannot be reached or refuses us, with a message that
 * names where (without the password); `details.dependency` lets the caller name its variable.
 */
async function checkReachable(pool: pg.Pool, connectionString: string): Promise<void> {
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    const where = `PostgreSQL at ${redactUrl(connectionString)}`;
    const reason = (error as Error).message;
    const details = { dependency: 'database' };
    if (isConnectionFailure(error)) throw new AppError('ERR_UNAVAILABLE', `cannot reach ${where}: ${reason}`, { cause: error, details });
    throw new AppError('ERR_DB_REFUSED', `${where} refused the connection: ${reason}`, { cause: error, details });
  }
}
