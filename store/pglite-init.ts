/**
 * Creating a PGlite data directory on first start, in a process of its own (pglite-initdb.ts),
 * and atomically: it is made next to its final place and renamed there once complete, so a
 * start killed half-way leaves no directory that looks like a database but is not one.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pgliteScript } from './pglite-script.js';

const TEMP_MARK = '.initdb-';

/** Does nothing when `dataDir` already holds a database; otherwise creates one there. */
export async function initializeDataDir(dataDir: string, settings: Readonly<Record<string, string>>): Promise<void> {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  if ((await readdir(dataDir).catch(() => [])).length > 0) throw notADatabase(dataDir);
  await removeLeftovers(dataDir);
  const temp = `${dataDir}${TEMP_MARK}${process.pid}`;
  try {
    await runInitdb(temp, settings);
    // rename(2) replaces an empty directory, and refuses a non-empty one (then nothing is touched).
    await rename(temp, dataDir).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ENOTEMPTY' || error.code === 'EEXIST' ? notADatabase(dataDir) : error;
    });
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

const notADatabase = (dataDir: string) =>
  new Error(`${dataDir} holds files but no PostgreSQL database (no PG_VERSION): move it away, or point DATA_DIR elsewhere`);

/** Directories of earlier first starts that were killed before their rename. */
async function removeLeftovers(dataDir: string): Promise<void> {
  const parent = dirname(dataDir);
  const prefix = `${basename(dataDir)}${TEMP_MARK}`;
  const names = await readdir(parent).catch(() => []);
  for (const name of names.filter((n) => n.startsWith(prefix))) await rm(join(parent, name), { recursive: true, force: true });
}

async function runInitdb(dir: string, settings: Readonly<Record<string, string>>): Promise<void> {
  const script = await pgliteScript('pglite-initdb');
  const entry = script.kind === 'file' ? [fileURLToPath(script.url)] : ['--input-type=module', '--eval', script.code];
  const child = spawn(process.execPath, [...entry, dir, JSON.stringify(settings)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`creating the PGlite database in ${dir} failed: ${stderr.trim() || `exit code ${code}`}`);
}
