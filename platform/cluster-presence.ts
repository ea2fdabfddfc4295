/**
 * Presence soft state for the workers of one node without Redis: the primary owns one memory
 * store (it outlives any worker, so a killed worker's devices still expire by TTL and another
 * worker's sweep announces them offline), and each worker reaches it through this proxy.
 */
import { AppError } from '../lib/errors.js';
import { createMemoryPresenceStore, type PresenceStore } from '../store/index.js';
import type { PresenceOp, PrimaryToWorker, WorkerToPrimary } from './cluster-messages.js';

/** The worker's side: every call is one request to the primary and its reply. */
export function createPresenceProxy(channel: {
  send(message: WorkerToPrimary): boolean;
  onMessage(listener: (message: PrimaryToWorker) => void): void;
  isConnected(): boolean;
}): PresenceStore {
  let nextId = 0;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  channel.onMessage((message) => {
    if (message.t !== 'presence-reply') return;
    const call = pending.get(message.id);
    pending.delete(message.id);
    if (message.ok) call?.resolve(message.value);
    else call?.reject(new AppError('ERR_UNAVAILABLE', message.error));
  });
  const call = <T>(op: PresenceOp, args: unknown[]): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (!channel.isConnected()) return reject(new AppError('ERR_UNAVAILABLE', 'the primary process is gone'));
      nextId += 1;
      pending.set(nextId, { resolve, reject });
      channel.send({ t: 'presence-call', id: nextId, op, args });
    });
  return {
    refresh: (userId, deviceId, ttlMs) => call('refresh', [userId, deviceId, ttlMs]),
    drop: (userId, deviceId, atMs) => call('drop', [userId, deviceId, atMs]),
    read: (userIds) => call('read', [[...userIds]]),
    sweepExpired: (atMs) => call('sweepExpired', [atMs]),
    isHealthy: () => channel.isConnected(),
    async close() {},
  };
}

/** The primary's side: answers every worker's calls from one memory store. */
export function createPresenceHost(now: () => number = Date.now): {
  answer(message: Extract<WorkerToPrimary, { t: 'presence-call' }>): Promise<PrimaryToWorker>;
} {
  const store = createMemoryPresenceStore(now);
  const run = (op: PresenceOp, args: unknown[]): Promise<unknown> => {
    switch (op) {
      case 'refresh':
        return store.refresh(args[0] as string, args[1] as string, args[2] as number);
      case 'drop':
        return store.drop(args[0] as string, args[1] as string, args[2] as number);
      case 'read':
        return store.read(args[0] as string[]);
      case 'sweepExpired':
        return store.sweepExpired(args[0] as number);
    }
  };
  return {
    async answer({ id, op, args }) {
      try {
        return { t: 'presence-reply', id, ok: true, value: await run(op, args) };
      } catch (error) {
        return { t: 'presence-reply', id, ok: false, error: (error as Error).message };
      }
    },
  };
}
