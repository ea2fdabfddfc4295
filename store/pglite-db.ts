import { PGlite } from '@electric-sql/pglite';
import type { Db, Queryable } from './db.js';

/**
 * Embedded PostgreSQL (WASM) in `dataDir`, or in memory when `dataDir` is undefined.
 * PGlite is one connection: transactions run one after another, which is what makes the
 * bridge's batching matter. It never fsyncs: a killed process loses nothing, an OS crash can.
 */
export async function openPgliteDb(dataDir: string | undefined): Promise<Db> {
  const pglite = await PGlite.create(dataDir === undefined ? {} : { dataDir });
  const asQueryable = (q: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    async query(sql, params) {
      const result = await q.query(sql, params === undefined ? [] : [...params]);
      return { rows: result.rows as never[] };
    },
    async exec(sql) {
      await q.exec(sql);
    },
  });
  return {
    kind: 'pglite',
    ...asQueryable(pglite),
    transaction: (work) => pglite.transaction((tx) => work(asQueryable(tx))),
    close: () => pglite.close(),
  };
}
