import pg from 'pg';
import type { Db, Queryable } from './db.js';

// int8 (seq, timestamps in ms) as JS numbers: they stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export async function openPostgresDb(connectionString: string, options: { maxConnections?: number } = {}): Promise<Db> {
  const pool = new pg.Pool({ connectionString, max: options.maxConnections ?? 10 });
  // An idle client that loses its server emits 'error' on the pool; without a listener that kills the process.
  pool.on('error', () => undefined);
  const client = await pool.connect(); // fail fast at start-up when the server is unreachable
  client.release();
  const queryable = (conn: pg.Pool | pg.PoolClient): Queryable => ({
    async query(sql, params) {
      const result = await conn.query(sql, params === undefined ? [] : [...params]);
      return { rows: result.rows as never[] };
    },
    async exec(sql) {
      await conn.query(sql); // no parameters: the simple protocol, which allows several statements
    },
  });
  return {
    kind: 'postgres',
    ...queryable(pool),
    async transaction(work) {
      const conn = await pool.connect();
      try {
        await conn.query('BEGIN');
        const result = await work(queryable(conn));
        await conn.query('COMMIT');
        return result;
      } catch (error) {
        await conn.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        conn.release();
      }
    },
    close: () => pool.end(),
  };
}
