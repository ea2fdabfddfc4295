import type { Logger } from '../lib/log.js';
import type { Db, Queryable } from './db.js';
import { databaseUnavailable } from './db-errors.js';
import { initializeDataDir } from './pglite-init.js';
import { PGLITE_SETTINGS } from './pglite-options.js';
import { packBinary } from './pglite-protocol.js';
import { startPgliteWorker, WorkerExitedError, type PgliteWorker, type StartWorkerOptions } from './pglite-worker.js';

/** The first restart of a crashed worker is tried after this, then at doubling intervals up to the maximum. */
export const WORKER_RESTART_MIN_MS = 100;
export const WORKER_RESTART_MAX_MS = 5_000;

export interface PgliteDbOptions {
  /** Where crashes and restarts of the worker thread are reported; process warnings (stderr) when undefined. */
  log?: Pick<Logger, 'info' | 'error'>;
  /** Heap limits of the worker thread (see StartWorkerOptions). */
  resourceLimits?: StartWorkerOptions['resourceLimits'];
}

type Report = Pick<Logger, 'info' | 'error'>;

const warningLog: Report = {
  info: () => undefined,
  error: (fields: object, message?: string) => process.emitWarning(`${message ?? ''} ${JSON.stringify(fields)}`, 'PGliteWorkerWarning'),
} as Report;

/**
 * Embedded PostgreSQL (WASM) in `dataDir`, or in memory when `dataDir` is undefined, running on
 * a worker thread of its own (pglite-worker-thread.ts) so that the broker's event loop does not
 * execute the database.
 *
 * PGlite is one connection: the worker runs one statement at a time, and a transaction holds
 * it from BEGIN to COMMIT or ROLLBACK. Queries outside a transaction are posted at once and
 * run in order; a transaction waits for the ones before it, and calls made while it is open wait
 * for it. PGlite never fsyncs: a killed process loses nothing (a COMMIT is answered after its
 * WAL is written to the files), an OS crash can.
 *
 * A crashed worker (a WASM trap, out of memory) fails what was in flight with ERR_UNAVAILABLE,
 * like a lost PostgreSQL connection: a COMMIT in flight may or may not have reached the files,
 * which the bridge's dedup makes safe to resend. With a data directory a new worker is started
 * on the same files (Postgres recovers from its WAL, as after a SIGKILL); calls meanwhile fail
 * ERR_UNAVAILABLE. An in-memory database died with its worker: every later call fails
 * ERR_UNAVAILABLE rather than finding an empty database.
 */
export async function openPgliteDb(dataDir: string | undefined, options: PgliteDbOptions = {}): Promise<Db> {
  const log = options.log ?? warningLog;
  const limits = options.resourceLimits === undefined ? {} : { resourceLimits: options.resourceLimits };
  const setup = { dataDir, settings: PGLITE_SETTINGS };
  if (dataDir !== undefined) await initializeDataDir(dataDir, PGLITE_SETTINGS);

  let closed = false;
  let lost: WorkerExitedError | undefined;
  let restartTimer: NodeJS.Timeout | undefined;
  let worker: PgliteWorker | undefined;
  const start = () => startPgliteWorker(setup, { ...limits, onCrash });
  worker = await start();

  function onCrash(error: WorkerExitedError): void {
    lost = error;
    if (dataDir === undefined) {
      log.error({ err: error }, 'the in-memory PGlite worker thread died: its data is gone, every call fails as unavailable');
      return;
    }
    log.error({ err: error, dataDir }, 'the PGlite worker thread died: restarting it on the same files');
    scheduleRestart(WORKER_RESTART_MIN_MS);
  }

  function scheduleRestart(delayMs: number): void {
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      if (closed) return;
      start().then(
        (restarted) => {
          if (closed) return void restarted.terminate();
          worker = restarted;
          lost = undefined;
          log.info({ dataDir }, 'PGlite worker thread restarted');
        },
        (error: unknown) => {
          log.error({ err: error, dataDir }, 'the PGlite worker thread failed to restart: trying again');
          scheduleRestart(Math.min(delayMs * 2, WORKER_RESTART_MAX_MS));
        },
      );
    }, delayMs);
  }

  /** The worker calls go to now; ERR_UNAVAILABLE while there is none. */
  function live(): PgliteWorker {
    if (closed) throw databaseUnavailable(new Error('PGlite is closed'));
    if (worker === undefined || worker.exited) throw databaseUnavailable(lost ?? new Error('PGlite worker thread not running'));
    return worker;
  }

  const gate = createGate();

  return {
    kind: 'pglite',
    query: (sql, params) => gate.whenFree(() => query(live(), sql, params ?? [])),
    exec: (sql) => gate.whenFree(() => exec(live(), sql)),
    transaction: (work) => gate.holding(() => transaction(live(), work)),
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(restartTimer);
      // Behind every call already made; the worker closes PGlite (a shutdown checkpoint) and ends.
      await gate.holding(async () => {
        if (worker !== undefined && !worker.exited) await worker.call({ type: 'close' }).catch(() => undefined);
        await worker?.terminate();
      });
    },
  };
}

/** A worker that ended turns into the typed outage every caller already handles. */
async function call(worker: PgliteWorker, ...args: Parameters<PgliteWorker['call']>): Promise<Record<string, unknown>[]> {
  try {
    return await worker.call(...args);
  } catch (error) {
    throw error instanceof WorkerExitedError ? databaseUnavailable(error) : error;
  }
}

async function query<Row>(worker: PgliteWorker, sql: string, params: readonly unknown[]): Promise<{ rows: Row[] }> {
  const { values, transfer } = packBinary(params);
  return { rows: (await call(worker, { type: 'query', sql, params: values }, transfer)) as Row[] };
}

async function exec(worker: PgliteWorker, sql: string): Promise<void> {
  await call(worker, { type: 'exec', sql });
}

/**
 * BEGIN, the caller's statements, COMMIT; ROLLBACK when `work` throws. The statements go to the
 * worker that began the transaction and to no other: after a crash they fail rather than run,
 * outside any transaction, on its successor.
 */
async function transaction<T>(worker: PgliteWorker, work: (tx: Queryable) => Promise<T>): Promise<T> {
  await exec(worker, 'BEGIN');
  let isOpen = true;
  const ended = () => Promise.reject(new Error('a statement on a transaction that has already ended'));
  const tx: Queryable = {
    query: (sql, params) => (isOpen ? query(worker, sql, params ?? []) : ended()),
    exec: (sql) => (isOpen ? exec(worker, sql) : ended()),
  };
  try {
    const result = await work(tx);
    isOpen = false;
    await exec(worker, 'COMMIT');
    return result;
  } catch (error) {
    isOpen = false;
    if (!worker.exited) {
      // A connection that cannot even roll back is in an unknown state: end it (a restart follows)
      // rather than let the next caller's statements join a transaction left open.
      await exec(worker, 'ROLLBACK').catch(() => worker.terminate());
    }
    throw error;
  }
}

/**
 * Keeps PGlite's one connection honest: `holding` runs its work alone, after everything
 * before it; `whenFree` posts at once unless a `holding` is queued or running, then waits for
 * it. Posting (not finishing) is what is ordered: the worker runs what it receives in order.
 */
function createGate() {
  let tail: Promise<void> = Promise.resolve();
  let holders = 0;
  function enqueue<T>(work: () => Promise<T>, hold: boolean): Promise<T> {
    const previous = tail;
    let release!: () => void;
    tail = new Promise<void>((resolve) => (release = resolve));
    return previous.then(() => {
      const running = attempt(work);
      if (!hold) release();
      return running.finally(release);
    });
  }
  return {
    whenFree<T>(post: () => Promise<T>): Promise<T> {
      return holders === 0 ? attempt(post) : enqueue(post, false);
    },
    holding<T>(work: () => Promise<T>): Promise<T> {
      holders += 1;
      return enqueue(work, true).finally(() => (holders -= 1));
    },
  };
}

/** `work()` started now (an async function runs synchronously up to its first await, so the post happens before this returns), a throw as a rejection. */
async function attempt<T>(work: () => Promise<T>): Promise<T> {
  return work();
}
