/**
 * Failures translated once, from real errors of both drivers: data refusals (class 22, 23) and
 * outages (a closed port, a terminated backend, a closed database) become typed errors; other
 * errors pass unchanged.
 */
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyDbError, isDbError, openDb, type Db } from '../../store/index.js';
import { backendAvailable, createTestDatabase, openTestPostgres } from '../support/backends.js';

const postgresAvailable = await backendAvailable('postgres');

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

function describeTranslation(name: string, open: () => Promise<{ db: Db; close: () => Promise<void> }>): void {
  describe(`typed database errors: ${name}`, () => {
    let db: Db;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ db, close } = await open());
    });
    afterAll(async () => close());

    it.each([
      ['a NUL in text (22021)', "SELECT 'a' || $1::text", ['x\u0000y'], '22021'],
      ['an int out of range (22003)', 'SELECT $1::integer', ['99999999999'], '22003'],
      ['a unique violation (23505)', "INSERT INTO users (id, name) VALUES ('dup', 'a'), ('dup', 'b')", [], '23505'],
    ])('types %s as ERR_DB_DATA_REJECTED with its SQLSTATE', async (_what, sql, params, sqlState) => {
      const error = await failure(() => db.query(sql, params));
      expect(isDbError(error, 'ERR_DB_DATA_REJECTED')).toBe(true);
      expect(error).toMatchObject({ details: { sqlState } });
    });

    it('types a refused row inside a transaction the same way, and rolls the transaction back', async () => {
      const error = await failure(() =>
        db.transaction(async (tx) => {
          await tx.query("INSERT INTO users (id, name) VALUES ('kept-out', 'x')");
          await tx.query('SELECT $1::text', ['\u0000']);
        }),
      );
      expect(isDbError(error, 'ERR_DB_DATA_REJECTED')).toBe(true);
      expect((await db.query("SELECT 1 FROM users WHERE id = 'kept-out'")).rows).toEqual([]);
    });

    it('passes other errors (a bug in SQL) on unchanged', async () => {
      const error = await failure(() => db.query('SELEC 1'));
      expect(classifyDbError(error)).toBeUndefined();
      expect(error).toMatchObject({ code: '42601' });
    });
  });
}

describeTranslation('PGlite', async () => {
  const { db } = await openDb({});
  return { db, close: () => db.close() };
});

describe.skipIf(!postgresAvailable)('PostgreSQL', () => {
  describeTranslation('PostgreSQL', openTestPostgres);

  it('types a backend terminated under a client (57P01) and a refused connection as ERR_UNAVAILABLE', async () => {
    const database = await createTestDatabase();
    const client = new pg.Client({ connectionString: database.url });
    client.on('error', () => undefined);
    await client.connect();
    const terminated = await failure(() => client.query('SELECT pg_terminate_backend(pg_backend_pid())'));
    const afterwards = await failure(() => client.query('SELECT 1'));
    await client.end().catch(() => undefined);
    await database.drop();
    expect(classifyDbError(terminated)).toBe('ERR_UNAVAILABLE');
    expect(classifyDbError(afterwards)).toBe('ERR_UNAVAILABLE');

    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const refused = await failure(() => new pg.Client({ host: '127.0.0.1', port }).connect());
    expect(classifyDbError(refused)).toBe('ERR_UNAVAILABLE');
    const noSocket = await failure(() => new pg.Client({ host: '/nonexistent-socket-dir', database: 'x' }).connect());
    expect(classifyDbError(noSocket)).toBe('ERR_UNAVAILABLE');
  });
});

it('types calls on a closed PGlite as ERR_UNAVAILABLE', async () => {
  const { db } = await openDb({});
  await db.close();
  expect(isDbError(await failure(() => db.query('SELECT 1')), 'ERR_UNAVAILABLE')).toBe(true);
});
