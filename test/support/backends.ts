/**
 * Which real backends a suite may use. Outside CI a missing backend skips its suites loudly;
 * with REQUIRE_BACKENDS=postgres,redis (set by .ci/run) a missing one fails instead.
 */
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import net from 'node:net';
import { userInfo } from 'node:os';
import pg from 'pg';
import { openDb, type Db } from '../../store/index.js';

export type Backend = 'postgres' | 'redis' | 'mosquitto' | 'chromium';

const required = new Set(
  (process.env['REQUIRE_BACKENDS'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

/** Default: the local cluster over its Unix socket, as the OS user (peer auth; .ci/run creates the role). */
export const POSTGRES_ADMIN_URL =
  process.env['TEST_DATABASE_URL'] ?? `postgres://${userInfo().username}@localhost/postgres?host=/var/run/postgresql`;
export const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

async function postgresReachable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function redisReachable(): Promise<string | undefined> {
  const { hostname, port } = new URL(REDIS_URL);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 6379) });
    socket.setTimeout(2000);
    socket.once('connect', () => {
      socket.end();
      resolve(undefined);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('error', (error) => resolve(error.message));
  });
}

export const MOSQUITTO_BIN = process.env['MOSQUITTO_BIN'] ?? '/usr/sbin/mosquitto';

function mosquittoInstalled(): Promise<string | undefined> {
  return new Promise((resolve) =>
    execFile(MOSQUITTO_BIN, ['-h'], (error) =>
      resolve(error !== null && (error as NodeJS.ErrnoException).code === 'ENOENT' ? `${MOSQUITTO_BIN} not found` : undefined),
    ),
  );
}

/** Debian's chromium package, which the web page's tests drive (playwright-core downloads no browser). */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

function chromiumInstalled(): Promise<string | undefined> {
  return new Promise((resolve) =>
    execFile(CHROMIUM_PATH, ['--version'], (error) => resolve(error === null ? undefined : `${CHROMIUM_PATH}: ${error.message}`)),
  );
}

/**
 * True when `backend` can be used. False (with a loud warning) when it cannot and is not
 * required; throws when it is required, so CI fails instead of skipping.
 */
export async function backendAvailable(backend: Backend): Promise<boolean> {
  const probes = { postgres: postgresReachable, redis: redisReachable, mosquitto: mosquittoInstalled, chromium: chromiumInstalled };
  const problem = await probes[backend]();
  return usableOrSkip(backend, backend, problem === undefined ? undefined : `${backend} is unreachable (${problem})`);
}

/**
 * The same verdict for a problem found elsewhere (`what`: e.g. a private server's binaries):
 * true without a problem; otherwise a loud skip, or a throw when `backend` is required.
 */
export function usableOrSkip(backend: Backend, what: string, problem: string | undefined): boolean {
  if (problem === undefined) return true;
  if (required.has(backend)) throw new Error(`required backend ${what} is unusable: ${problem}`);
  console.warn(`\n*** SKIPPING ${what} suites: ${problem}. Set REQUIRE_BACKENDS=${backend} to fail instead. ***\n`);
  return false;
}

/** A fresh, empty PostgreSQL database for one test file; `drop` removes it. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `chat_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** A migrated store on a fresh PostgreSQL database (the contract suites' opener); `close` closes and drops it. */
export async function openTestPostgres(): Promise<{ db: Db; close: () => Promise<void> }> {
  const database = await createTestDatabase();
  const { db } = await openDb({ databaseUrl: database.url });
  return {
    db,
    close: async () => {
      await db.close();
      await database.drop();
    },
  };
}
