/**
 * The platform side of one PGlite worker thread: starts it, numbers requests and matches the
 * answers, and fails everything in flight when the thread dies. It knows nothing about
 * transactions or restarts (pglite-db.ts does).
 */
import { Worker } from 'node:worker_threads';
import { pgliteScript } from './pglite-script.js';
import { fromWorkerError, type FromWorker, type PgliteWorkerSetup, type ToWorker } from './pglite-protocol.js';

type Request = ToWorker extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export interface PgliteWorker {
  /** Posts `request` (transferring `transfer`) and resolves with its rows; rejects with the database's error, or with `WorkerExitedError`. */
  call(request: Request, transfer?: readonly ArrayBuffer[]): Promise<Record<string, unknown>[]>;
  /** Set once the thread has ended, for whatever reason. */
  readonly exited: boolean;
  /** Ends the thread at once (what is in flight fails with WorkerExitedError). */
  terminate(): Promise<void>;
}

/** The worker thread ended: what was in flight has an unknown outcome (a COMMIT may or may not have reached the files). */
export class WorkerExitedError extends Error {
  constructor(
    readonly exitCode: number | undefined,
    cause: unknown,
  ) {
    super(
      `the PGlite worker thread ended${exitCode === undefined ? '' : ` with code ${exitCode}`}`,
      cause === undefined ? undefined : { cause },
    );
    this.name = 'WorkerExitedError';
  }
}

export interface StartWorkerOptions {
  /** Called once when the thread ends without `terminate()` or a close request (a crash). */
  onCrash?: (error: WorkerExitedError) => void;
  /** V8 heap limits of the thread (its result rows live there); Node's defaults when undefined. */
  resourceLimits?: { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number };
}

async function spawn(setup: PgliteWorkerSetup, options: StartWorkerOptions): Promise<Worker> {
  const script = await pgliteScript('pglite-worker-thread');
  const entry = script.kind === 'file' ? script.url : new URL(`data:text/javascript;base64,${Buffer.from(script.code).toString('base64')}`);
  const limits = options.resourceLimits === undefined ? {} : { resourceLimits: options.resourceLimits };
  // Not this process's execArgv: tsx's --import would load tsx into the thread after all.
  return new Worker(entry, { workerData: setup, execArgv: [], ...limits });
}

/** Starts a worker thread and resolves once PGlite is open in it; rejects with PGlite's own error when it cannot open. */
export async function startPgliteWorker(setup: PgliteWorkerSetup, options: StartWorkerOptions = {}): Promise<PgliteWorker> {
  const worker = await spawn(setup, options);
  const pending = new Map<number, { resolve: (rows: Record<string, unknown>[]) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let exited = false;
  let ending = false; // terminate() or a close request: the exit is expected
  let lastError: unknown;
  let onBoot: { resolve: () => void; reject: (error: Error) => void } | undefined;
  const booted = new Promise<void>((resolve, reject) => (onBoot = { resolve, reject }));

  worker.on('message', (message: FromWorker) => {
    if (message.type === 'ready') return onBoot?.resolve();
    if (message.type === 'boot-failed') return onBoot?.reject(fromWorkerError(message.error));
    const call = pending.get(message.id);
    if (call === undefined) return;
    pending.delete(message.id);
    if (pending.size === 0) worker.unref();
    if (message.type === 'result') call.resolve(message.rows);
    else call.reject(fromWorkerError(message.error));
  });
  worker.on('error', (error) => (lastError = error));
  worker.on('exit', (code) => {
    exited = true;
    const error = new WorkerExitedError(code, lastError);
    onBoot?.reject(error);
    for (const call of pending.values()) call.reject(error);
    pending.clear();
    if (!ending) options.onCrash?.(error);
  });

  try {
    await booted;
  } catch (error) {
    ending = true;
    await worker.terminate();
    throw error;
  }
  onBoot = undefined;
  // An idle database must not keep the process alive (PGlite in process did not); a call in flight does.
  worker.unref();

  return {
    call(request, transfer = []) {
      if (exited) return Promise.reject(new WorkerExitedError(undefined, lastError));
      const id = nextId++;
      if (request.type === 'close') ending = true;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        if (pending.size === 1) worker.ref();
        worker.postMessage({ ...request, id }, transfer);
      });
    },
    get exited() {
      return exited;
    },
    async terminate() {
      ending = true;
      await worker.terminate();
    },
  };
}
