/**
 * A worker's links to the primary of its node (WORKERS > 1): its index, the in-machine bus and
 * presence store when there is no Redis, and push wake-ups for the one worker that runs the push
 * worker. A worker whose primary is gone exits: nothing would restart it or route its bus.
 */
import cluster from 'node:cluster';
import type { BusChannel } from '../broker/index.js';
import type { PresenceStore } from '../store/index.js';
import { isMessage, PUSH_WORKER_INDEX, WORKER_INDEX_VARIABLE, type PrimaryToWorker, type WorkerToPrimary } from './cluster-messages.js';
import { createPresenceProxy } from './cluster-presence.js';

export interface WorkerLinks {
  readonly index: number;
  /** Without Redis: the bus and the presence store through the primary. */
  readonly machineBus: BusChannel | undefined;
  readonly presence: PresenceStore | undefined;
  /** Whether this worker runs the node's push worker (and its providers). */
  readonly runsPush: boolean;
  /** For the workers that do not: wakes the one that does. */
  readonly remotePush: { wake(): void } | undefined;
  /** For the one that does: a wake-up from another worker. */
  onPushWake(listener: () => void): void;
  ready(banner: string[]): void;
}

/** Undefined in a process that is not a cluster worker (WORKERS=1). */
export function workerLinks(options: { hasRedis: boolean }): WorkerLinks | undefined {
  if (!cluster.isWorker) return undefined;
  const index = Number(process.env[WORKER_INDEX_VARIABLE] ?? '0');
  const listeners: ((message: PrimaryToWorker) => void)[] = [];
  process.on('message', (message: unknown) => {
    if (isMessage(message)) for (const listener of listeners) listener(message as PrimaryToWorker);
  });
  process.once('disconnect', () => process.exit(1));
  const send = (message: WorkerToPrimary): boolean => {
    if (!process.connected) return false;
    process.send?.(message);
    return true;
  };
  const onMessage = (listener: (message: PrimaryToWorker) => void) => void listeners.push(listener);
  const runsPush = index === PUSH_WORKER_INDEX;
  return {
    index,
    machineBus: options.hasRedis ? undefined : { send, onMessage: onMessage as BusChannel['onMessage'] },
    presence: options.hasRedis ? undefined : createPresenceProxy({ send, onMessage, isConnected: () => process.connected }),
    runsPush,
    remotePush: runsPush ? undefined : { wake: () => void send({ t: 'push-wake' }) },
    onPushWake: (listener) => onMessage((message) => message.t === 'push-wake' && listener()),
    ready: (banner) => void send({ t: 'ready', banner }),
  };
}
