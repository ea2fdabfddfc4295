/**
 * Forgets finished push deliveries past their retention (store: sweepDeliveries), on its own
 * timer so a large sweep never holds up the planning of acknowledgement deadlines. Each sweep
 * deletes in batches until a batch comes back short: a node finishing more deliveries per
 * interval than one batch still keeps the table bounded.
 */
import type { Logger } from '../lib/log.js';
import { sweepDeliveries, type Db } from '../store/index.js';

export interface DeliverySweeperDeps {
  db: Db;
  now: () => number;
  log: Logger;
  /** Called after each sweep with how many rows it deleted. */
  onSwept?: (count: number) => void;
}

export interface DeliverySweeperOptions {
  intervalMs: number;
  /** Finished deliveries are kept this long: while their message is in the outbox, they stop a second look from pushing twice. */
  retentionMs: number;
  batchSize: number;
}

export interface DeliverySweeper {
  /** Stops the timer and waits for a sweep under way. */
  close(): Promise<void>;
}

export function startDeliverySweeper(deps: DeliverySweeperDeps, options: DeliverySweeperOptions): DeliverySweeper {
  let closed = false;
  let sweeping: Promise<void> | undefined;

  async function sweep(): Promise<void> {
    const beforeMs = deps.now() - options.retentionMs;
    let swept = 0;
    let batch: number;
    do {
      batch = await sweepDeliveries(deps.db, beforeMs, options.batchSize);
      swept += batch;
    } while (batch === options.batchSize && !closed);
    if (swept > 0) deps.log.debug({ swept }, 'finished push deliveries swept');
    deps.onSwept?.(swept);
  }

  const timer = setInterval(() => {
    sweeping ??= sweep()
      .catch((error: unknown) => deps.log.warn({ err: (error as Error).message }, 'push delivery sweep failed'))
      .finally(() => (sweeping = undefined));
  }, options.intervalMs);
  timer.unref();

  return {
    async close() {
      closed = true;
      clearInterval(timer);
      await sweeping;
    },
  };
}
