/**
 * The primary of a multi-worker node (WORKERS > 1, docs/architecture.md#several-workers-on-one-machine):
 * it serves no client itself. It has already validated the config, made the secrets and migrated
 * the database once (bootstrap.ts) before it forks; then it
 * - forks the workers (node:cluster: they share every listening port, and on Linux the primary
 *   accepts each connection and hands it to the next worker in turn),
 * - restarts a worker that dies, under the same index, so the node keeps its size,
 * - routes the in-machine bus when there is no Redis: each publish only to the workers with a
 *   subscriber for its topic, retained ones to all and kept for restarted workers (broker/bus-router.ts),
 * - owns the presence store when there is no Redis (cluster-presence.ts),
 * - passes push wake-ups to the one worker that runs the push worker,
 * - prints the banner once every worker is up, and stops the workers on SIGTERM/SIGINT.
 */
import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { createBusHub } from '../broker/index.js';
import { listenOn } from '../lib/listen.js';
import type { Logger } from '../lib/log.js';
import { isMessage, PUSH_WORKER_INDEX, WORKER_INDEX_VARIABLE, type PrimaryToWorker, type WorkerToPrimary } from './cluster-messages.js';
import { createPresenceHost } from './cluster-presence.js';

/** How long the primary waits before replacing a worker that died, so a crash loop does not spin a core. */
const RESTART_DELAY_MS = 250;

export interface PrimaryOptions {
  count: number;
  /** Concrete ports for every shared listener whose variable is 0 (pickSharedPorts), given to each worker. */
  env: Record<string, string>;
  /** What to print once every worker is ready: the first worker's banner, given to `banner` to adjust. */
  banner(lines: string[]): string;
}

/**
 * Port 0 in a worker would be "the Nth port-0 listener of this process", shared by key with the
 * Nth of every other worker: a worker that listens in another order (worker 0 also starts the
 * push stubs) would serve its API on another worker's MQTT port. So the primary picks the free
 * ports once and hands every worker the same numbers.
 */
export async function pickSharedPorts(host: string, ports: Record<string, number | string>): Promise<Record<string, string>> {
  const picked: Record<string, string> = {};
  for (const [variable, port] of Object.entries(ports)) {
    if (port !== 0) continue;
    const server = createServer();
    picked[variable] = String(await listenOn(server, 0, host, variable));
    await new Promise((resolve) => server.close(resolve));
  }
  return picked;
}

export function runPrimary(log: Logger, options: PrimaryOptions): void {
  const bus = createBusHub();
  const presence = createPresenceHost();
  const workers = new Map<number, Worker>();
  const readyOnce = new Set<number>();
  let firstBanner: string[] | undefined;
  let stopping = false;

  // Structured clone instead of JSON: payloads stay Buffers instead of arrays of numbers.
  cluster.setupPrimary({ serialization: 'advanced' });

  const send = (index: number, message: PrimaryToWorker): void => {
    const worker = workers.get(index);
    if (worker?.isConnected() === true) worker.send(message);
  };

  function onMessage(index: number, message: WorkerToPrimary): void {
    switch (message.t) {
      case 'bus-hello':
      case 'bus-sub':
      case 'bus-unsub':
      case 'bus-pub':
        for (const { to, message: onward } of bus.receive(index, message)) send(to, onward);
        return;
      case 'presence-call':
        return void presence.answer(message).then((reply) => send(index, reply));
      case 'push-wake':
        return send(PUSH_WORKER_INDEX, { t: 'push-wake' });
      case 'ready':
        return onReady(index, message.banner);
      default:
        return;
    }
  }

  function onReady(index: number, banner: string[]): void {
    if (readyOnce.has(index)) return log.info({ worker: index }, 'worker restarted and ready');
    readyOnce.add(index);
    if (index === 0) firstBanner = banner;
    if (readyOnce.size === options.count && firstBanner !== undefined) process.stdout.write(options.banner(firstBanner));
  }

  function fork(index: number): void {
    const worker = cluster.fork({ ...options.env, [WORKER_INDEX_VARIABLE]: String(index) });
    workers.set(index, worker);
    worker.on('message', (message: unknown) => {
      if (isMessage(message)) onMessage(index, message as WorkerToPrimary);
    });
    worker.once('exit', (code, signal) => {
      bus.forget(index);
      if (workers.get(index) === worker) workers.delete(index);
      if (stopping) return;
      if (!readyOnce.has(index)) {
        // A worker that cannot even start (a port taken, the database gone) will not start on a retry either.
        process.stderr.write(`error: worker ${index} exited before it was ready (code ${code}, signal ${signal})\n`);
        return void stopAll().then(() => process.exit(1));
      }
      log.warn({ worker: index, pid: worker.process.pid, code, signal }, 'worker died; starting a new one');
      setTimeout(() => fork(index), RESTART_DELAY_MS).unref();
    });
  }

  async function stopAll(): Promise<void> {
    stopping = true;
    const running = [...workers.values()].filter((w) => w.process.exitCode === null && w.process.signalCode === null);
    await Promise.all(
      running.map(async (worker) => {
        const exited = once(worker, 'exit');
        worker.process.kill('SIGTERM');
        await exited;
      }),
    );
  }

  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    log.info({ signal }, 'shutting down the workers');
    void stopAll().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  // Renewed TLS certificates: every worker re-reads them (start-broker.ts reloadTls).
  process.on('SIGHUP', () => {
    for (const worker of workers.values()) worker.process.kill('SIGHUP');
  });
  for (let index = 0; index < options.count; index += 1) fork(index);
}
