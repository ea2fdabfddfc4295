/**
 * The databases the benchmark runs on: PGlite on files in a fresh temporary directory (as
 * `npm start` runs it, not in memory), or a fresh database on the local PostgreSQL cluster;
 * both are removed afterwards, so runs never see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDb, type Db } from '../store/index.js';
import type { BackendName } from './args.js';

export const POSTGRES_ADMIN_URL =
  process.env['BENCH_DATABASE_URL'] ?? `postgres://${userInfo().username}@localhost/postgres?host=/var/run/postgresql`;

const CONNECT_TIMEOUT_MS = 2_000;

export interface BenchDatabase {
  /** Short name for tables ("PostgreSQL 15.18"). */
  readonly label: string;
  /** Where exactly, for the run's header. */
  readonly detail: string;
  readonly db: Db;
  /** PostgreSQL only: where another process reaches the same database. */
  readonly url?: string;
  /** Closes the connection(s) and drops what was created. */
  close(): Promise<void>;
}

export type OpenResult = { status: 'open'; database: BenchDatabase } | { status: 'skipped'; reason: string };

export async function openBenchDatabase(backend: BackendName): Promise<OpenResult> {
  if (backend === 'pglite') return { status: 'open', database: await openFreshPglite() };
  const problem = await postgresProblem();
  if (problem !== undefined) return { status: 'skipped', reason: `PostgreSQL unreachable at ${redacted(POSTGRES_ADMIN_URL)}: ${problem}` };
  return { status: 'open', database: await openFreshPostgres() };
}

async function openFreshPglite(): Promise<BenchDatabase> {
  const dir = await mkdtemp(join(tmpdir(), 'chat-bench-pglite-'));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    const { db } = await openDb({ pgliteDir: dir });
    return {
      label: 'PGlite',
      detail: `files in ${dir} (as npm start keeps them), removed afterwards`,
      db,
      async close() {
        await db.close();
        await remove();
      },
    };
  } catch (error) {
    await remove();
    throw error;
  }
}

/** A new, empty database on the local cluster; undefined (with why) when PostgreSQL cannot be reached. */
export async function createScratchPostgres(): Promise<{ name: string; url: string; drop: () => Promise<void> } | { problem: string }> {
  const problem = await postgresProblem();
  if (problem !== undefined) return { problem: `PostgreSQL unreachable at ${redacted(POSTGRES_ADMIN_URL)}: ${problem}` };
  const name = `chat_bench_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function openFreshPostgres(): Promise<BenchDatabase> {
  const scratch = await createScratchPostgres();
  if ('problem' in scratch) throw new Error(scratch.problem);
  const { name, url, drop } = scratch;
  try {
    const { db } = await openDb({ databaseUrl: url });
    const { rows } = await db.query<{ version: string }>("SELECT current_setting('server_version') AS version");
    return {
      label: `PostgreSQL ${rows[0]?.version.split(' ')[0] ?? '?'}`,
      detail: `fresh database ${name} on ${redacted(POSTGRES_ADMIN_URL)}, dropped afterwards`,
      db,
      url: url.toString(),
      async close() {
        await db.close();
        await drop();
      },
    };
  } catch (error) {
    await drop().catch(() => undefined);
    throw error;
  }
}

export async function postgresProblem(): Promise<string | undefined> {
  try {
    await adminQuery('SELECT 1');
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // A server that goes away while idle emits 'error'; without a listener that kills the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query(sql);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The admin URL as printed: a password in it must not reach the terminal. */
function redacted(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}
