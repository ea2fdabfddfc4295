/**
 * A PostgreSQL 15 server of the test's own (`initdb` + `pg_ctl` in a temp dir, on a free port,
 * trust auth on 127.0.0.1 and on a Unix socket in that dir), so a test can stop and restart it
 * under load without disturbing any other test. initdb refuses to run as root: as root, every
 * command runs as the `postgres` OS user (runuser), in a dir that user owns.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const run = promisify(execFile);
export const POSTGRES_BIN_DIR = process.env['POSTGRES_BIN_DIR'] ?? '/usr/lib/postgresql/15/bin';
const START_LIMIT_SECONDS = 60;
/**
 * Small, and without fsync: the OS never crashes under a test, only the server is stopped or
 * killed. Commits stay synchronous (WAL written before the commit returns), or a crash
 * (`stop('immediate')`) would lose acknowledged transactions and no test could tell the
 * platform's losses from the test server's.
 */
const SERVER_SETTINGS = ['fsync=off', 'full_page_writes=off', 'max_connections=60', 'shared_buffers=16MB'];

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:{port}/postgres */
  readonly url: string;
  readonly port: number;
  /** Starts the stopped server on the same port and data; resolves once it accepts connections. */
  start(): Promise<void>;
  /** `fast` ends every session with an error and shuts down cleanly; `immediate` is a crash (recovery at next start). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  isRunning(): boolean;
  /**
   * Stops every process of the server (SIGSTOP) without closing a socket: a hung database, which
   * accepts and answers nothing. `thaw` lets it go on.
   */
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  /** Stops it (if running) and deletes its files. Safe to call twice. */
  destroy(): Promise<void>;
}

const asRoot = process.getuid?.() === 0;

function command(name: string, args: string[]): [string, string[]] {
  const binary = join(POSTGRES_BIN_DIR, name);
  return asRoot ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
}

/** Why a private PostgreSQL cannot be started here, or undefined when it can. */
export async function privatePostgresProblem(): Promise<string | undefined> {
  try {
    await run(...command('initdb', ['--version']));
    return undefined;
  } catch (error) {
    return `cannot run ${join(POSTGRES_BIN_DIR, 'initdb')}${asRoot ? ' as the postgres user' : ''}: ${(error as Error).message.split('\n')[0]}`;
  }
}

async function ownedByPostgres(dir: string): Promise<void> {
  if (!asRoot) return;
  const { stdout: uid } = await run('id', ['-u', 'postgres']);
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  await chown(dir, Number(uid.trim()), Number(gid.trim()));
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'pg-private-'));
  await ownedByPostgres(dir);
  const dataDir = join(dir, 'data');
  const port = await freePort();
  await run(
    ...command('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']),
  );
  const options = [`-p ${port}`, `-k ${dir}`, '-c listen_addresses=127.0.0.1', ...SERVER_SETTINGS.map((s) => `-c ${s}`)].join(' ');
  let running = false;
  let destroyed = false;

  /** Signals the postmaster (first line of postmaster.pid) and its children, by their ids. */
  function signalAll(signal: NodeJS.Signals): void {
    const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    let children: number[] = [];
    try {
      children = execFileSync('pgrep', ['-P', String(postmaster)], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)
        .map(Number);
    } catch {
      // pgrep exits 1 when there are none
    }
    for (const pid of signal === 'SIGSTOP' ? [...children, postmaster] : [postmaster, ...children]) process.kill(pid, signal);
  }

  const stopNow = (mode: 'fast' | 'immediate') => command('pg_ctl', ['-D', dataDir, '-m', mode, '-w', 'stop']);
  // A test that dies before its cleanup must not leave a server behind.
  const onExit = () => {
    if (!running) return;
    signalAll('SIGCONT'); // a frozen server cannot stop
    execFileSync(...stopNow('immediate'), { stdio: 'ignore' });
  };
  process.once('exit', onExit);

  const instance: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      await run(
        ...command('pg_ctl', [
          '-D',
          dataDir,
          '-l',
          join(dir, 'server.log'),
          '-o',
          options,
          '-w',
          '-t',
          String(START_LIMIT_SECONDS),
          'start',
        ]),
      );
      running = true;
    },
    async stop(mode = 'fast') {
      await run(...stopNow(mode));
      running = false;
    },
    isRunning: () => running,
    async freeze() {
      signalAll('SIGSTOP');
    },
    async thaw() {
      signalAll('SIGCONT');
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      process.removeListener('exit', onExit);
      if (running) signalAll('SIGCONT'); // a frozen server cannot stop
      if (running) await instance.stop('immediate').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await instance.start();
  } catch (error) {
    await instance.destroy();
    throw error;
  }
  return instance;
}
