import type { Logger } from '../lib/log.js';
import { MIGRATIONS_DIR } from '../schema/migrations.js';
import type { Db } from './db.js';
import { withTypedErrors } from './db-errors.js';
import { migrate, readMigrations } from './migrate.js';
import { openPgliteDb } from './pglite-db.js';
import { openPostgresDb } from './postgres-db.js';

export interface DbLocation {
  /** PostgreSQL when set; otherwise embedded PGlite. */
  databaseUrl?: string | undefined;
  /** PGlite files; undefined keeps PGlite in memory (tests). */
  pgliteDir?: string | undefined;
  /** PostgreSQL: how long getting a connection may take before a call fails with ERR_UNAVAILABLE. */
  connectTimeoutMs?: number | undefined;
  /** PGlite: where a crash and restart of its worker thread is reported (process warnings when undefined). */
  log?: Pick<Logger, 'info' | 'error'> | undefined;
}

/** Opens the configured database (its failures typed: see db-errors.ts) and brings its schema up to date. */
export async function openDb(location: DbLocation): Promise<{ db: Db; appliedMigrations: string[] }> {
  const db = withTypedErrors(
    location.databaseUrl !== undefined
      ? await openPostgresDb(
          location.databaseUrl,
          location.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: location.connectTimeoutMs },
        )
      : await openPgliteDb(location.pgliteDir, location.log === undefined ? {} : { log: location.log }),
  );
  try {
    const appliedMigrations = await migrate(db, await readMigrations(MIGRATIONS_DIR));
    return { db, appliedMigrations };
  } catch (error) {
    await db.close();
    throw error;
  }
}
