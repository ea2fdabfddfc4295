/**
 * The thread PGlite runs on (started by pglite-worker.ts): Postgres in WASM and its JavaScript
 * driver (parameter serialization, result parsing) cost about half the platform's CPU on the
 * durable path, so they get a core of their own instead of the broker's event loop.
 *
 * It executes one request at a time, in arrival order, each to its end: BEGIN, COMMIT and
 * ROLLBACK are plain statements here, and keeping other requests out of a transaction is the
 * platform side's job. An answer is posted only after PGlite returned, so a COMMIT's answer
 * means its WAL is written to the data directory's files, as with PGlite in process.
 */
import { writeFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { pgliteOptions } from './pglite-options.js';
import {
  PGLITE_THREAD_NAME,
  toWorkerError,
  transferablesOf,
  type FromWorker,
  type PgliteWorkerSetup,
  type ToWorker,
} from './pglite-protocol.js';

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(message, transfer);
}

async function handle(pglite: PGlite, request: ToWorker): Promise<void> {
  switch (request.type) {
    case 'query': {
      const { rows } = await pglite.query<Record<string, unknown>>(request.sql, [...request.params]);
      post({ type: 'result', id: request.id, rows }, transferablesOf(rows));
      return;
    }
    case 'exec':
      await pglite.exec(request.sql);
      post({ type: 'result', id: request.id, rows: [] });
      return;
    case 'close':
      await pglite.close();
      post({ type: 'result', id: request.id, rows: [] });
      // Nothing is left to do; the platform side waits for this thread's exit.
      process.exit(0);
  }
}

/** WebAssembly.RuntimeError (`unreachable`, out of bounds, Emscripten's `abort()`); the lib types here have no WebAssembly values. */
const isWasmTrap = (error: unknown): boolean => error instanceof Error && error.name === 'RuntimeError';

/** Names this thread where the OS allows (Linux), so `top -H` and `ps -L` tell it from the broker's thread. */
function nameThread(): void {
  try {
    writeFileSync('/proc/thread-self/comm', PGLITE_THREAD_NAME);
  } catch {
    // not Linux: the thread keeps its default name
  }
}

async function main(): Promise<void> {
  nameThread();
  const setup = workerData as PgliteWorkerSetup;
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(pgliteOptions(setup.dataDir, setup.settings));
  } catch (error) {
    post({ type: 'boot-failed', error: toWorkerError(error) });
    return;
  }
  post({ type: 'ready' });

  let queue = Promise.resolve();
  parentPort!.on('message', (request: ToWorker) => {
    queue = queue.then(async () => {
      try {
        await handle(pglite, request);
      } catch (error) {
        post({ type: 'failed', id: request.id, error: toWorkerError(error) });
        // A trap in the WASM (out of memory, an assertion) leaves Postgres in an unknown state:
        // this thread ends, the platform side fails what was in flight and starts a new one.
        if (isWasmTrap(error)) process.exit(1);
      }
    });
  });
}

void main();
