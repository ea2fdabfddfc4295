/**
 * What the primary and the workers of a multi-worker node (WORKERS > 1) say to each other over
 * the cluster's IPC channel (structured clone: Buffers, Maps and arrays travel as they are).
 */
import type { BusMessage } from '../broker/index.js';

export type PresenceOp = 'refresh' | 'drop' | 'read' | 'sweepExpired';

export type WorkerToPrimary =
  | BusMessage
  | { t: 'presence-call'; id: number; op: PresenceOp; args: unknown[] }
  /** A commit queued push work: the worker that runs the push worker is woken. */
  | { t: 'push-wake' }
  /** Every listener is up; `banner` is what `npm start` prints. */
  | { t: 'ready'; banner: string[] };

export type PrimaryToWorker =
  | BusMessage
  | { t: 'presence-reply'; id: number; ok: true; value: unknown }
  | { t: 'presence-reply'; id: number; ok: false; error: string }
  | { t: 'push-wake' };

/** Set by the primary in each worker's environment: 0 … WORKERS-1, kept by a restarted worker. */
export const WORKER_INDEX_VARIABLE = 'CHAT_WORKER_INDEX';

/** The worker that runs this node's process-wide jobs (the push worker and its providers). */
export const PUSH_WORKER_INDEX = 0;

export const isMessage = (value: unknown): value is { t: string } =>
  typeof value === 'object' && value !== null && typeof (value as { t?: unknown }).t === 'string';
