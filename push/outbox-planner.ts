/**
 * Turns due outbox rows into push deliveries (docs/push.md#outbox-and-deliveries), one transaction
 * per batch: claim the rows (SKIP LOCKED, so platform nodes share the outbox), read who could be
 * pushed and what they have seen, ask presence who is online, then record the pushes due now and
 * either drop each row or move it to its acknowledgement deadline. Recording the pushes and
 * settling the row commit together: a crash in between repeats the batch, and the pushes' unique
 * key makes the repeat a no-op.
 */
import type { Logger } from '../lib/log.js';
import {
  claimDueOutbox,
  earliestOutboxDueAtMs,
  enqueueMessagePushes,
  outboxTargets,
  removeFromOutbox,
  rescheduleOutbox,
  type Db,
  type OutboxKey,
  type PresenceReader,
  type PushPlatform,
} from '../store/index.js';
import { planOutbox, usersToCheck } from './targets.js';

export interface PlannerDeps {
  db: Db;
  presence: PresenceReader;
  /** Read and delivery marks of this process not yet written, for (room, user): 0 when none. */
  unwrittenSeenSeq: (roomId: string, userId: string) => number;
  now: () => number;
  log: Logger;
}

export interface PlannerOptions {
  ackTimeoutMs: number;
  platforms: readonly PushPlatform[];
  batchSize: number;
}

export interface PlanResult {
  claimed: number;
  pushes: number;
  /** Messages taken out of the outbox: every push they needed is recorded. */
  done: OutboxKey[];
  /** When the next outbox row falls due (after this batch), for a timer at the next acknowledgement deadline. */
  nextDueAtMs: number | undefined;
}

export function createOutboxPlanner(deps: PlannerDeps, options: PlannerOptions): { planBatch(): Promise<PlanResult> } {
  return {
    planBatch: () =>
      deps.db.transaction(async (tx) => {
        const nowMs = deps.now();
        const items = await claimDueOutbox(tx, nowMs, options.batchSize);
        if (items.length === 0) return { claimed: 0, pushes: 0, done: [], nextDueAtMs: undefined };
        const targets = await outboxTargets(tx, items, options.platforms);
        const presence = await deps.presence.read(usersToCheck({ targets, unwrittenSeenSeq: deps.unwrittenSeenSeq }));
        const online = new Set([...presence].filter(([, p]) => p.online).map(([userId]) => userId));
        const plan = planOutbox({
          items,
          targets,
          online,
          unwrittenSeenSeq: deps.unwrittenSeenSeq,
          nowMs,
          ackTimeoutMs: options.ackTimeoutMs,
        });
        await enqueueMessagePushes(tx, plan.push, nowMs);
        await rescheduleOutbox(tx, plan.revisit);
        await removeFromOutbox(tx, plan.done);
        deps.log.debug({ claimed: items.length, pushes: plan.push.length, revisits: plan.revisit.length }, 'outbox planned');
        return { claimed: items.length, pushes: plan.push.length, done: plan.done, nextDueAtMs: await earliestOutboxDueAtMs(tx) };
      }),
  };
}
