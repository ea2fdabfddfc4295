/**
 * A one-off process that creates a PGlite data directory: `<node> pglite-initdb <dir> <settings JSON>`
 * (started by pglite-init.ts). PGlite's initdb runs a second Postgres instance in memory and
 * holds several hundred MB for as long as its process lives; in a process of its own, that
 * memory is the OS's again when it exits, instead of staying with the platform for good.
 */
import { PGlite } from '@electric-sql/pglite';
import { pgliteOptions } from './pglite-options.js';

const [dataDir, settingsJson] = process.argv.slice(-2);
try {
  const pglite = await PGlite.create(pgliteOptions(dataDir, JSON.parse(settingsJson ?? '{}') as Record<string, string>));
  await pglite.close(); // a shutdown checkpoint: the first real start finds a cleanly stopped database
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
