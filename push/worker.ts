/**
 * The push worker (docs/push.md#outbox-and-deliveries): plans the outbox into deliveries, turns
 * reads into retractions, and drains deliveries through the providers. It is woken right after a
 * commit that queued pushes (so an offline member is pushed at once), at the deadlines and retry
 * times it set itself, and by a poll every `pollMs` that covers work another node or a previous run
 * left. Every platform node may run one: they share the tables through SKIP LOCKED claims and
 * leases.
 */
import type { Logger } from '../lib/log.js';
import type { Metrics } from '../lib/metrics.js';
import { expandRetractions, type Db, type PresenceReader, type PushPlatform } from '../store/index.js';
import { startDeliverySweeper } from './delivery-sweeper.js';
import { createDrainer, type PushSettled } from './drainer.js';
import { createOutboxPlanner, type PlanResult } from './outbox-planner.js';
import type { PushProvider } from './provider.js';
import type { RetryPolicy } from './retry.js';

export interface PushWorkerDeps {
  db: Db;
  presence: PresenceReader;
  providers: ReadonlyMap<PushPlatform, PushProvider>;
  /** Read and delivery marks received by this process and not yet written. */
  unwrittenSeenSeq: (roomId: string, userId: string) => number;
  log: Logger;
  metrics: Metrics;
  now?: () => number;
  random?: () => number;
}

export interface PushWorkerOptions {
  ackTimeoutMs: number;
  pollMs: number;
  concurrency: number;
  requestTimeoutMs: number;
  maxAttempts: number;
  retryPolicy?: RetryPolicy;
}

export interface PushWorker {
  /** New work may be due: a commit queued pushes, or a read may have queued retractions. */
  wake(): void;
  /** Every settled delivery (sent, retried, skipped, dead...), after its outcome is stored. */
  onSettled(listener: (event: PushSettled) => void): () => void;
  /** Every committed planning batch of the outbox. */
  onPlanned(listener: (result: PlanResult) => void): () => void;
  /** Stops claiming, waits for the pushes in flight and stores their outcomes. */
  close(): Promise<void>;
}

const OUTBOX_BATCH = 200;
const RETRACTION_BATCH = 200;
/** A pass plans at most this many batches before it lets the drain run. */
const MAX_BATCHES_PER_PASS = 10;
const SWEEP = { intervalMs: 60_000, retentionMs: 3_600_000, batchSize: 10_000 };

/** Runs `task` one at a time; a trigger while it runs makes it run once more afterwards. */
function coalesced(task: () => Promise<void>, onError: (error: unknown) => void): { trigger(): void; idle(): Promise<void> } {
  let running: Promise<void> | undefined;
  let again = false;
  const trigger = (): void => {
    if (running !== undefined) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        await task().catch(onError);
      } while (again);
    })().finally(() => (running = undefined));
  };
  return { trigger, idle: async () => running };
}

/** One timer for the earliest of the times asked for; after `stop`, none. */
function alarm(fire: () => void): { at(atMs: number, nowMs: number): void; stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let dueAtMs = Infinity;
  let isStopped = false;
  return {
    at(atMs, nowMs) {
      if (isStopped || atMs >= dueAtMs) return;
      clearTimeout(timer);
      dueAtMs = atMs;
      timer = setTimeout(
        () => {
          dueAtMs = Infinity;
          fire();
        },
        Math.max(0, atMs - nowMs),
      );
      timer.unref();
    },
    stop() {
      isStopped = true;
      clearTimeout(timer);
    },
  };
}

export function startPushWorker(deps: PushWorkerDeps, options: PushWorkerOptions): PushWorker {
  const log = deps.log.child({ module: 'push-worker' });
  const now = deps.now ?? Date.now;
  const platforms = [...deps.providers.keys()];
  const listeners = new Set<(event: PushSettled) => void>();
  const planListeners = new Set<(result: PlanResult) => void>();
  const report = (what: string) => (error: unknown) => log.warn({ err: (error as Error).message }, what);
  let closed = false;

  const planner = createOutboxPlanner({ ...deps, now, log }, { ackTimeoutMs: options.ackTimeoutMs, platforms, batchSize: OUTBOX_BATCH });
  const drainer = createDrainer(
    {
      ...deps,
      now,
      random: deps.random ?? Math.random,
      log,
      wakeAt: (atMs) => (atMs === undefined ? draining.trigger() : drainAlarm.at(atMs, now())), // a slot freed / a retry's time
      onSettled: (event) => listeners.forEach((listener) => listener(event)),
    },
    options,
  );

  async function plan(): Promise<void> {
    let pushes = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_PASS && !closed; batch += 1) {
      const result = await planner.planBatch();
      if (result.claimed > 0) planListeners.forEach((listener) => listener(result));
      pushes += result.pushes;
      // Rows due already but not claimed are another node's (locked) or the next batch's: no timer for them.
      if (result.nextDueAtMs !== undefined && result.nextDueAtMs > now()) planAlarm.at(result.nextDueAtMs, now());
      if (result.claimed < OUTBOX_BATCH) break;
      if (batch === MAX_BATCHES_PER_PASS - 1) planning.trigger(); // more waiting: another pass, after a drain
    }
    pushes += await expandRetractions(deps.db, { nowMs: now(), limit: RETRACTION_BATCH, platforms });
    if (pushes > 0) drainNewWork();
  }

  const planning = coalesced(() => (closed ? Promise.resolve() : plan()), report('push planning failed'));
  const draining = coalesced(() => drainer.drain(), report('push drain failed'));
  const planAlarm = alarm(() => planning.trigger());
  const drainNewWork = () => {
    drainer.expectWork();
    draining.trigger();
  };
  const drainAlarm = alarm(drainNewWork);
  const sweeper = startDeliverySweeper({ db: deps.db, now, log }, SWEEP);
  const poll = setInterval(() => {
    planning.trigger();
    drainNewWork();
  }, options.pollMs);
  poll.unref();
  planning.trigger();
  drainNewWork();
  log.info(
    { platforms, ackTimeoutMs: options.ackTimeoutMs, pollMs: options.pollMs, concurrency: options.concurrency },
    'push worker running',
  );

  return {
    wake() {
      if (!closed) planning.trigger();
    },
    onSettled(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onPlanned(listener) {
      planListeners.add(listener);
      return () => planListeners.delete(listener);
    },
    async close() {
      closed = true;
      clearInterval(poll);
      planAlarm.stop();
      drainAlarm.stop();
      await planning.idle();
      await draining.idle();
      await sweeper.close();
      await drainer.close();
    },
  };
}
