/**
 * A real database that can be made unreachable on demand: while `down`, every call fails the
 * way `pg` fails against a stopped server (a real connection attempt to a closed port, and its
 * real ECONNREFUSED), without reaching the database; back up, calls go through again. Not a
 * mock: everything that is answered is answered by the database underneath. Wrap the result in
 * `withTypedErrors` (as `openDb` does) to see it as the platform does.
 */
import net from 'node:net';
import pg from 'pg';
import type { Db, Queryable } from '../../store/index.js';

export interface UnreachableDb extends Db {
  down: boolean;
  /** Calls that tried to reach the database while it was down. */
  readonly refusedCalls: number;
}

/** A port nothing listens on: bound, then closed again. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function unreachableDb(db: Db): Promise<UnreachableDb> {
  const port = await closedPort();
  let refusedCalls = 0;

  async function refuse(): Promise<never> {
    refusedCalls += 1;
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'nobody', database: 'nothing' });
    try {
      await client.connect();
    } finally {
      await client.end().catch(() => undefined);
    }
    throw new Error(`port ${port} unexpectedly accepted a connection`);
  }

  const gated = (q: Queryable): Queryable => ({
    query: async (sql, params) => (state.down ? refuse() : q.query(sql, params)),
    exec: async (sql) => (state.down ? refuse() : q.exec(sql)),
  });

  const state: UnreachableDb = {
    kind: db.kind,
    down: false,
    get refusedCalls() {
      return refusedCalls;
    },
    ...gated(db),
    transaction: async (work) => (state.down ? refuse() : db.transaction((tx) => work(gated(tx)))),
    close: () => db.close(),
  };
  return state;
}
