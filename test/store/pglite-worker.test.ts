/**
 * PGlite on its worker thread (store/pglite-db.ts): what crosses between the threads, how one
 * connection is shared between transactions and other calls, and what a crash of the thread
 * means for callers. The database is real; the worker is killed for real, by exhausting the heap
 * limit it was given with a result too large for it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../lib/log.js';
import { isDbError, withTypedErrors, type Db } from '../../store/index.js';
import { openPgliteDb } from '../../store/pglite-db.js';
import { packBinary } from '../../store/pglite-protocol.js';

/** Rows of ~1 KB each, 300k of them: far beyond the small heap the crash tests give the worker. */
const HEAP_BUSTER = "SELECT repeat('x', 1000) AS s FROM generate_series(1, 300000)";
const SMALL_HEAP = { maxOldGenerationSizeMb: 48 };
/** A new data directory, a crash and a restart each start Postgres in WASM: tens of seconds on a loaded 2-core machine. */
const CRASH_TEST_TIMEOUT_MS = 120_000;

async function failure(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

/** A log that records what the database reported, and resolves `restarted` at the first restart. */
function recordingLog() {
  const errors: string[] = [];
  let onRestart: () => void = () => undefined;
  const restarted = new Promise<void>((resolve) => (onRestart = resolve));
  const log = {
    info: (_fields: object, message?: string) => {
      if (message?.includes('restarted') === true) onRestart();
    },
    error: (_fields: object, message?: string) => errors.push(message ?? ''),
  } as unknown as Pick<Logger, 'info' | 'error'>;
  return { log, errors, restarted };
}

describe('packBinary', () => {
  it('sends only the bytes of each value, in one new buffer, and leaves the caller’s buffers usable', () => {
    const socketRead = Buffer.alloc(65_536, 7);
    const body = socketRead.subarray(100, 110);
    const other = new Uint8Array([1, 2, 3]);
    const { values, transfer } = packBinary(['text', body, [other, null], 5]);
    expect(transfer).toHaveLength(1);
    expect(transfer[0]!.byteLength).toBe(13);
    expect(values[0]).toBe('text');
    expect(values[3]).toBe(5);
    expect([...(values[1] as Uint8Array)]).toEqual([...body]);
    expect([...((values[2] as unknown[])[0] as Uint8Array)]).toEqual([1, 2, 3]);
    expect((values[2] as unknown[])[1]).toBeNull();
    structuredClone(values, { transfer }); // what postMessage does: the caller's buffers stay attached
    expect(socketRead.byteLength).toBe(65_536);
    expect([...other]).toEqual([1, 2, 3]);
  });
});

describe('PGlite on a worker thread', () => {
  let db: Db;
  beforeAll(async () => {
    db = withTypedErrors(await openPgliteDb(undefined));
    await db.exec('CREATE TABLE t (id int PRIMARY KEY, body bytea)');
  });
  afterAll(() => db.close());

  it('round-trips bytea values sliced from larger buffers, alone and in arrays', async () => {
    const read = Buffer.from('....hello....world....');
    const hello = read.subarray(4, 9);
    const world = read.subarray(13, 18);
    const { rows } = await db.query<{ one: Uint8Array; many: Uint8Array[] }>('SELECT $1::bytea AS one, $2::bytea[] AS many', [
      hello,
      [world, new Uint8Array(0)],
    ]);
    expect(Buffer.from(rows[0]!.one).toString()).toBe('hello');
    expect(rows[0]!.many.map((b) => Buffer.from(b).toString())).toEqual(['world', '']);
    expect(read.toString()).toBe('....hello....world....');
  });

  it('keeps the SQLSTATE and constraint of a refused row, typed as ERR_DB_DATA_REJECTED', async () => {
    await db.query('INSERT INTO t (id) VALUES (1)');
    const error = await failure(() => db.query('INSERT INTO t (id) VALUES (1)'));
    expect(isDbError(error, 'ERR_DB_DATA_REJECTED')).toBe(true);
    expect(error).toMatchObject({ details: { sqlState: '23505' }, cause: { constraint: 't_pkey' } });
  });

  it('keeps a call made while a transaction is open out of it: it waits, and survives the rollback', async () => {
    let outside: Promise<unknown> | undefined;
    const error = await failure(() =>
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t (id) VALUES (10)');
        outside = db.query('INSERT INTO t (id) VALUES (11)');
        await tx.query('INSERT INTO t (id) VALUES (12)');
        throw new Error('the work failed');
      }),
    );
    expect(error).toMatchObject({ message: 'the work failed' });
    await outside;
    const { rows } = await db.query<{ id: number }>('SELECT id FROM t WHERE id >= 10 ORDER BY id');
    expect(rows).toEqual([{ id: 11 }]);
  });

  it('runs transactions one after another, each seeing the commits before it', async () => {
    await db.exec('CREATE TABLE counter (n int); INSERT INTO counter VALUES (0)');
    const increment = () =>
      db.transaction(async (tx) => {
        const { rows } = await tx.query<{ n: number }>('SELECT n FROM counter');
        await tx.query('UPDATE counter SET n = $1', [rows[0]!.n + 1]);
      });
    await Promise.all(Array.from({ length: 20 }, increment));
    expect((await db.query('SELECT n FROM counter')).rows).toEqual([{ n: 20 }]);
  });

  it('refuses a statement on a transaction that has ended, and runs the next transaction normally', async () => {
    let leaked: Parameters<Parameters<Db['transaction']>[0]>[0] | undefined;
    await db.transaction(async (tx) => {
      leaked = tx;
    });
    await expect(leaked!.query('INSERT INTO t (id) VALUES (20)')).rejects.toThrow(/already ended/);
    await db.transaction((tx) => tx.query('INSERT INTO t (id) VALUES (21)'));
    expect((await db.query('SELECT id FROM t WHERE id >= 20')).rows).toEqual([{ id: 21 }]);
  });
});

describe('a crash of the worker thread', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it(
    'fails the calls in flight with ERR_UNAVAILABLE and restarts on the same files, committed rows intact',
    { timeout: CRASH_TEST_TIMEOUT_MS },
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'pglite-crash-'));
      dirs.push(dir);
      const { log, errors, restarted } = recordingLog();
      const db = await openPgliteDb(dir, { log, resourceLimits: SMALL_HEAP });
      try {
        await db.exec('CREATE TABLE t (id int)');
        await db.query('INSERT INTO t VALUES (1)');
        const error = await failure(() => db.query(HEAP_BUSTER));
        expect(isDbError(error, 'ERR_UNAVAILABLE')).toBe(true);
        expect(errors).toEqual(['the PGlite worker thread died: restarting it on the same files']);
        await restarted;
        expect((await db.query('SELECT id FROM t')).rows).toEqual([{ id: 1 }]);
      } finally {
        await db.close();
      }
    },
  );

  it(
    'ends a transaction in flight: its later statements fail rather than run on the restarted worker',
    { timeout: CRASH_TEST_TIMEOUT_MS },
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'pglite-crash-'));
      dirs.push(dir);
      const { log, restarted } = recordingLog();
      const db = await openPgliteDb(dir, { log, resourceLimits: SMALL_HEAP });
      try {
        await db.exec('CREATE TABLE t (id int)');
        const outcome = await failure(() =>
          db.transaction(async (tx) => {
            await tx.query('INSERT INTO t VALUES (1)');
            const crash = await failure(() => tx.query(HEAP_BUSTER));
            expect(isDbError(crash, 'ERR_UNAVAILABLE')).toBe(true);
            await restarted;
            await tx.query('INSERT INTO t VALUES (2)');
          }),
        );
        expect(isDbError(outcome, 'ERR_UNAVAILABLE')).toBe(true);
        expect((await db.query('SELECT id FROM t')).rows).toEqual([]);
      } finally {
        await db.close();
      }
    },
  );

  it('leaves an in-memory database unavailable for good instead of serving an empty one', { timeout: CRASH_TEST_TIMEOUT_MS }, async () => {
    const { log, errors } = recordingLog();
    const db = await openPgliteDb(undefined, { log, resourceLimits: SMALL_HEAP });
    try {
      await db.exec('CREATE TABLE t (id int)');
      expect(isDbError(await failure(() => db.query(HEAP_BUSTER)), 'ERR_UNAVAILABLE')).toBe(true);
      expect(isDbError(await failure(() => db.query('SELECT id FROM t')), 'ERR_UNAVAILABLE')).toBe(true);
      expect(errors).toEqual(['the in-memory PGlite worker thread died: its data is gone, every call fails as unavailable']);
    } finally {
      await db.close();
    }
  });
});
