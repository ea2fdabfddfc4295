/**
 * The main thread's handle on the load thread: start it with the devices to simulate, run
 * one phase at a time, close it. Requests are strictly one after another, so each answer
 * is the answer to the only question outstanding.
 */
import { Worker } from 'node:worker_threads';
import type { FromLoad, LoadSetup, PhaseResult, PhaseSpec, ToLoad } from './load-protocol.js';

export interface LoadGenerator {
  run(spec: PhaseSpec, onProgress: (progress: Extract<FromLoad, { type: 'progress' }>) => void): Promise<PhaseResult>;
  close(): Promise<void>;
}

/**
 * Node 20 does not hand tsx's loader to worker threads, so the worker is a two-line JS
 * bootstrap that loads the TypeScript entry through tsx's API, resolved from this package.
 */
function startWorker(): Worker {
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./load-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(import.meta.url)}));`;
  return new Worker(bootstrap, { eval: true });
}

export async function startLoad(setup: LoadSetup): Promise<LoadGenerator> {
  const worker = startWorker();
  let onMessage: (message: FromLoad) => void = () => undefined;
  let onFailure: (error: Error) => void = () => undefined;
  worker.on('message', (message: FromLoad) =>
    message.type === 'failed' ? onFailure(new Error(`load thread: ${message.message}`)) : onMessage(message),
  );
  worker.on('error', (error) => onFailure(error));
  let exitError: Error | undefined;
  worker.on('exit', (code) => {
    exitError = new Error(`load thread exited with code ${code}`);
    onFailure(exitError);
  });

  /** Sends `request` and resolves with the first message of type `until`, passing others to `onOther`. */
  function ask<T extends FromLoad['type']>(request: ToLoad, until: T, onOther: (m: FromLoad) => void = () => undefined) {
    return new Promise<Extract<FromLoad, { type: T }>>((resolve, reject) => {
      if (exitError !== undefined) return reject(exitError); // nobody would ever answer
      onMessage = (m) => (m.type === until ? resolve(m as Extract<FromLoad, { type: T }>) : onOther(m));
      onFailure = reject;
      worker.postMessage(request);
    });
  }

  try {
    await ask({ type: 'setup', setup }, 'ready');
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  return {
    async run(spec, onProgress) {
      const answer = await ask({ type: 'phase', spec }, 'result', (m) => m.type === 'progress' && onProgress(m));
      return answer.result;
    },
    async close() {
      // The devices disconnect cleanly first; terminate() then ends the thread even if it had failed.
      await ask({ type: 'close' }, 'closed').catch(() => undefined);
      await worker.terminate();
    },
  };
}
