/**
 * Creating a PGlite data directory on first start (store/pglite-init.ts): in a process of its
 * own, made next to its final place and renamed there, so a killed first start leaves nothing
 * that looks like a database.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../store/index.js';
import { initializeDataDir } from '../../store/pglite-init.js';
import { PGLITE_SETTINGS } from '../../store/pglite-options.js';

describe('initializeDataDir', () => {
  let parent: string;
  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'pglite-init-'));
  });
  afterAll(() => rm(parent, { recursive: true, force: true }));

  it('creates the database, clears what a killed first start left next to it, and opens it', { timeout: 120_000 }, async () => {
    const dataDir = join(parent, 'pglite');
    const leftover = `${dataDir}.initdb-99999`;
    await mkdir(leftover);
    await writeFile(join(leftover, 'PG_VERSION'), '17\n');
    await initializeDataDir(dataDir, PGLITE_SETTINGS);
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
    expect(await readdir(parent)).toEqual(['pglite']);
    const { db, appliedMigrations } = await openDb({ pgliteDir: dataDir });
    try {
      expect(appliedMigrations.length).toBeGreaterThan(0);
      expect((await db.query('SELECT count(*)::int AS n FROM users')).rows).toEqual([{ n: 0 }]);
    } finally {
      await db.close();
    }
    await initializeDataDir(dataDir, PGLITE_SETTINGS); // a database is there: nothing to do
    expect(await readdir(parent)).toEqual(['pglite']);
  });

  it('refuses a directory that holds files but no database, and leaves them alone', async () => {
    const dataDir = join(parent, 'not-a-database');
    await mkdir(dataDir);
    await writeFile(join(dataDir, 'notes.txt'), 'mine');
    await expect(initializeDataDir(dataDir, PGLITE_SETTINGS)).rejects.toThrow(/holds files but no PostgreSQL database/);
    expect(await readdir(dataDir)).toEqual(['notes.txt']);
    expect((await readdir(parent)).filter((name) => name.includes('.initdb-'))).toEqual([]);
  });
});
