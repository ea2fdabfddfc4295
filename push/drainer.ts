/**
 * Sends recorded push deliveries through the providers with bounded concurrency per provider
 * (docs/push.md#outbox-and-deliveries). Each claim leases rows for longer than a send can take, the
 * send runs outside any transaction, and outcomes are written in batches: a delivered push is
 * recorded as shown (what a later read retracts), a dead token is deleted, a 'retry' comes back
 * after a jittered backoff no sooner than Retry-After, a refusal is logged and dropped. A provider
 * that hangs holds only its own slots until its request timeout: the other provider's pushes go on.
 *
 * Before sending, a message push is checked once more against what its user has seen: a member
 * who came online and received (or read) the message while the push waited gets no stale push.
 */
import type { Logger } from '../lib/log.js';
import type { Metrics } from '../lib/metrics.js';
import {
  claimDueDeliveries,
  deliveryClaimOf,
  settleDeliveries,
  type ClaimedDelivery,
  type Db,
  type PushPlatform,
  type Settlement,
} from '../store/index.js';
import { messagePush, retractPush } from './payload.js';
import type { PushMessage, PushOutcome, PushProvider } from './provider.js';
import { retryDelayMs, type RetryPolicy } from './retry.js';

export interface PushSettled {
  delivery: ClaimedDelivery;
  settlement: Settlement;
  /** What was sent; undefined when the push was skipped without a provider call. */
  message: PushMessage | undefined;
  /** When the provider answered (or the push was skipped). */
  atMs: number;
}

export interface DrainerDeps {
  db: Db;
  providers: ReadonlyMap<PushPlatform, PushProvider>;
  unwrittenSeenSeq: (roomId: string, userId: string) => number;
  now: () => number;
  random: () => number;
  log: Logger;
  metrics: Metrics;
  /** A slot freed or a retry is due at `atMs` (undefined: now): drain again then. */
  wakeAt(atMs?: number): void;
  onSettled(event: PushSettled): void;
}

export interface DrainerOptions {
  concurrency: number;
  requestTimeoutMs: number;
  maxAttempts: number;
  retryPolicy?: RetryPolicy;
}

export interface Drainer {
  /** Claims due deliveries for every free slot and starts sending them. */
  drain(): Promise<void>;
  /** Deliveries may have become due (recorded, retry time reached, poll): claim again even where the last claim came back short. */
  expectWork(): void;
  /** Waits for the sends in flight and their outcomes to be written. */
  close(): Promise<void>;
}

/**
 * How long a claimed row stays leased: past the longest a send can take (a provider may make
 * up to three requests for one push: an OAuth token, the send, a resend after refreshing
 * credentials), so a live node never has its send taken over.
 */
export const leaseMsFor = (requestTimeoutMs: number): number => 3 * requestTimeoutMs + 1_000;

/** Outcomes written in one statement at most, and how long the first of them waits for company. */
const SETTLE_BATCH = 256;
const SETTLE_LINGER_MS = 5;

export function createDrainer(deps: DrainerDeps, options: DrainerOptions): Drainer {
  const log = deps.log.child({ module: 'push-drainer' });
  const inFlight = new Map<PushPlatform, number>();
  const sending = new Set<Promise<void>>();
  /** Platforms whose last claim came back short: nothing more is due until new work is expected. */
  const exhausted = new Set<PushPlatform>();
  /** Bumped by expectWork, so a claim that began before new work was expected does not mark its platform exhausted. */
  let workGeneration = 0;
  const expectWork = (): void => {
    workGeneration += 1;
    exhausted.clear();
  };
  let unsettled: { settlement: Settlement; event: PushSettled }[] = [];
  let settling: Promise<void> | undefined;
  let lingering: NodeJS.Timeout | undefined;
  let closed = false;

  function settle(delivery: ClaimedDelivery, settlement: Settlement, message: PushMessage | undefined, atMs = deps.now()): void {
    deps.metrics.pushes.inc({ platform: delivery.platform, kind: delivery.kind, status: settlement.status });
    unsettled.push({ settlement, event: { delivery, settlement, message, atMs } });
    // Pushes finish one by one; a short linger makes their outcomes one statement, not one each.
    if (unsettled.length >= SETTLE_BATCH) flushSettlements();
    else lingering ??= setTimeout(flushSettlements, SETTLE_LINGER_MS);
  }

  function flushSettlements(): void {
    clearTimeout(lingering);
    lingering = undefined;
    settling ??= writeSettlements().finally(() => (settling = undefined));
  }

  async function writeSettlements(): Promise<void> {
    while (unsettled.length > 0) {
      const batch = unsettled;
      unsettled = [];
      try {
        await settleDeliveries(
          deps.db,
          batch.map((b) => b.settlement),
          deps.now(),
        );
        for (const { event } of batch) deps.onSettled(event);
        // A finished push hands its device's next push about the room the turn: claim it.
        if (!closed && batch.some((b) => b.settlement.status !== 'pending')) {
          expectWork();
          deps.wakeAt();
        }
      } catch (error) {
        // The rows stay leased and pending: they are sent again (same dedup key) when the lease ends.
        log.warn({ err: (error as Error).message, deliveries: batch.length }, 'push outcomes not stored');
      }
    }
  }

  function skip(delivery: ClaimedDelivery, reason: string): void {
    settle(delivery, { ...deliveryClaimOf(delivery), status: 'skipped', outcome: reason }, undefined);
  }

  /** The push to send, or why none is sent. */
  function compose(delivery: ClaimedDelivery): PushMessage | string {
    const { context } = delivery;
    if (context.token === undefined) return 'no token';
    const address = { roomId: delivery.roomId, userId: delivery.userId, deviceId: delivery.deviceId, token: context.token };
    const nowMs = deps.now();
    if (delivery.kind === 'retract') return retractPush({ ...address, readSeq: delivery.seq, badge: context.badge, nowMs });
    if (!context.isMember) return 'not a member';
    const seenSeq = Math.max(context.readSeq, context.deliveredSeq, deps.unwrittenSeenSeq(delivery.roomId, delivery.userId));
    if (seenSeq >= delivery.seq) return 'already received';
    if (context.message === undefined) return 'message removed';
    return messagePush({ ...address, seq: delivery.seq, encrypted: context.encrypted, ...context.message, badge: context.badge, nowMs });
  }

  /** `atMs`: when the provider answered; a retry is due no sooner than its Retry-After from then. */
  function settlementOf(delivery: ClaimedDelivery, outcome: PushOutcome, token: string, atMs: number): Settlement {
    const claim = deliveryClaimOf(delivery);
    switch (outcome.kind) {
      case 'delivered': {
        const isShown = delivery.kind === 'message';
        const shown = { userId: delivery.userId, deviceId: delivery.deviceId, roomId: delivery.roomId, seq: delivery.seq };
        return { ...claim, status: 'sent', outcome: outcome.providerId, ...(isShown ? { shown } : {}) };
      }
      case 'token-dead':
        return {
          ...claim,
          status: 'dead',
          outcome: outcome.reason,
          deadToken: { userId: delivery.userId, deviceId: delivery.deviceId, token },
        };
      case 'rejected':
        log.warn({ platform: delivery.platform, reason: outcome.reason, roomId: delivery.roomId }, 'push rejected by the provider');
        return { ...claim, status: 'rejected', outcome: outcome.reason };
      case 'retry': {
        if (delivery.attempts >= options.maxAttempts) {
          log.warn({ platform: delivery.platform, reason: outcome.reason, attempts: delivery.attempts }, 'push given up');
          return { ...claim, status: 'failed', outcome: outcome.reason };
        }
        const nextAttemptAtMs = atMs + retryDelayMs(delivery.attempts, outcome.retryAfterMs, deps.random, options.retryPolicy);
        deps.wakeAt(nextAttemptAtMs);
        return { ...claim, status: 'pending', outcome: outcome.reason, nextAttemptAtMs };
      }
    }
  }

  /** Pushes to one device about one room are never claimed together (store: claimDueDeliveries), so each is sent at once. */
  function launch(delivery: ClaimedDelivery, provider: PushProvider, message: PushMessage): void {
    inFlight.set(delivery.platform, (inFlight.get(delivery.platform) ?? 0) + 1);
    const sent = provider
      .send(message)
      .catch((error: unknown): PushOutcome => ({ kind: 'retry', reason: `provider threw: ${(error as Error).message}` }))
      .then((outcome) => {
        const atMs = deps.now();
        const sentAtMs = delivery.context.message?.sentAtMs;
        if (outcome.kind === 'delivered' && sentAtMs !== undefined) deps.metrics.pushDelaySeconds.observe((atMs - sentAtMs) / 1000);
        settle(delivery, settlementOf(delivery, outcome, message.token, atMs), message, atMs);
      })
      .finally(() => {
        inFlight.set(delivery.platform, (inFlight.get(delivery.platform) ?? 1) - 1);
        sending.delete(sent);
        if (!closed) deps.wakeAt();
      });
    sending.add(sent);
  }

  async function drainPlatform(platform: PushPlatform): Promise<void> {
    const busy = inFlight.get(platform) ?? 0;
    const free = options.concurrency - busy;
    // Claims cost a few statements whatever their size: while pushes are in flight, wait until
    // half the slots are free rather than claim one row per finished push.
    const isWorthAClaim = busy === 0 || free >= Math.ceil(options.concurrency / 2);
    if (free <= 0 || !isWorthAClaim || exhausted.has(platform)) return;
    const nowMs = deps.now();
    const generation = workGeneration;
    const claimed = await claimDueDeliveries(deps.db, {
      platform,
      nowMs,
      leaseUntilMs: nowMs + leaseMsFor(options.requestTimeoutMs),
      limit: free,
    });
    if (claimed.length < free && generation === workGeneration) exhausted.add(platform);
    if (claimed.length === 0) return;
    for (const delivery of claimed) {
      // Claimed again and again without an outcome (each lease ran out: a node died or hung mid-send).
      if (delivery.attempts > options.maxAttempts) {
        log.warn({ platform, attempts: delivery.attempts, roomId: delivery.roomId }, 'push given up: its sends never finished');
        settle(delivery, { ...deliveryClaimOf(delivery), status: 'failed', outcome: 'no outcome after every attempt' }, undefined);
        continue;
      }
      const message = compose(delivery);
      if (typeof message === 'string') {
        skip(delivery, message);
        continue;
      }
      // The token may have moved to the other platform since the push was recorded.
      const { tokenPlatform } = delivery.context;
      const provider = tokenPlatform === undefined ? undefined : deps.providers.get(tokenPlatform);
      if (provider === undefined) skip(delivery, 'no provider for the token');
      else launch(delivery, provider, message);
    }
  }

  return {
    expectWork,
    async drain() {
      if (closed) return;
      for (const platform of deps.providers.keys()) await drainPlatform(platform);
    },
    async close() {
      closed = true;
      await Promise.all(sending);
      flushSettlements();
      await settling;
    },
  };
}
