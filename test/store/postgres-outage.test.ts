/**
 * The pg adapter when its server goes away: a lost connection fails the operation that used it
 * (a typed ERR_UNAVAILABLE), never the process, and the pool serves again as soon as the server
 * is back. On a private PostgreSQL, so stopping it disturbs no other test.
 */
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, openPostgresDb, type Db } from '../../store/index.js';
import { usableOrSkip } from '../support/backends.js';
import { privatePostgresProblem, startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.js';

const usable = usableOrSkip('postgres', 'private PostgreSQL', await privatePostgresProblem());

describe.skipIf(!usable)('PostgreSQL adapter across a server restart', () => {
  let server: PrivatePostgres;
  let db: Db;

  beforeAll(async () => {
    server = await startPrivatePostgres();
    ({ db } = await openDb({ databaseUrl: server.url }));
  });
  afterAll(async () => {
    await db?.close();
    await server?.destroy();
  });

  it('fails a transaction whose connection the server ends, alone, and serves the first query after the restart', async () => {
    // The transaction holds its pooled client, idle between two statements, while the server shuts down:
    // that client's 'error' event had no listener, which ended the process.
    const transaction = db.transaction(async (tx) => {
      await tx.query('SELECT 1');
      await server.stop('fast');
      await tx.query('SELECT 1');
    });
    await expect(transaction).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE' });
    await expect(db.query('SELECT 1')).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE' });
    await expect(db.transaction((tx) => tx.query('SELECT 1'))).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE' });

    await server.start();
    expect((await db.query<{ ok: number }>('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
    expect(await db.transaction(async (tx) => (await tx.query<{ ok: number }>('SELECT 1 AS ok')).rows)).toEqual([{ ok: 1 }]);
  });

  it('fails a statement running when the server crashes, and the pool holds no broken client afterwards', async () => {
    const sleeping = failureOf(db.transaction((tx) => tx.query('SELECT pg_sleep(30)')));
    const idle = failureOf(db.query('SELECT pg_sleep(30)'));
    await server.stop('immediate');
    expect(await sleeping).toMatchObject({ code: 'ERR_UNAVAILABLE' });
    expect(await idle).toMatchObject({ code: 'ERR_UNAVAILABLE' });
    await server.start();
    const results = await Promise.all(Array.from({ length: 12 }, () => db.query<{ ok: number }>('SELECT 1 AS ok')));
    expect(results.every((r) => r.rows[0]?.ok === 1)).toBe(true);
  });
});

/** The rejection of `promise` (handled from now on), or undefined when it resolves. */
const failureOf = (promise: Promise<unknown>): Promise<(Error & { code?: string }) | undefined> =>
  promise.then(
    () => undefined,
    (error: unknown) => error as Error & { code?: string },
  );

describe('PostgreSQL adapter against a server that never answers', () => {
  let silent: Server;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    // Accepts connections and says nothing, as a hung or half-partitioned database does.
    silent = createServer((socket) => sockets.add(socket)).listen(0, '127.0.0.1');
    await once(silent, 'listening');
  });
  afterAll(() => {
    for (const socket of sockets) socket.destroy();
    silent.close();
  });

  it('gives up connecting after the connect timeout with ERR_UNAVAILABLE naming the server, without the password', async () => {
    const { port } = silent.address() as { port: number };
    const error = await failureOf(openPostgresDb(`postgres://chat:s3cret-pw@127.0.0.1:${port}/chat`, { connectTimeoutMs: 300 }));
    expect(error).toMatchObject({
      code: 'ERR_UNAVAILABLE',
      message: expect.stringContaining(`PostgreSQL at postgres://***@127.0.0.1:${port}/chat`),
    });
    expect(error?.message).not.toContain('s3cret-pw');
  });
});
