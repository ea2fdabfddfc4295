/**
 * One batch of sends into the store, isolated from its own rows and guarded by the breaker.
 * A transaction the database refuses because of some row's data (SQLSTATE class 22 or 23, which
 * validation should have caught but a value can still slip past it, or a constraint added later)
 * is split in halves and each half tried again, down to the single culprit: honest neighbours
 * are stored (one extra transaction per halving, about 2·log2(n) for one bad row in n), and only
 * the culprit is refused. An outage is never split: the whole batch is answered "unavailable" in
 * one round trip, and the breaker opens. Other failures (bugs) propagate unchanged.
 */
import { appendSends, isDbError, type Db, type PendingSend, type SendOutcome } from '../store/index.js';
import type { CircuitBreaker } from './circuit-breaker.js';

export type IsolatedOutcome =
  | SendOutcome
  /** The database refused this send's data (its SQLSTATE); nothing was stored. */
  | { status: 'refused'; sqlState: string }
  /** The database is unreachable; nothing was stored; retry after this long. */
  | { status: 'unavailable'; retryAfterMs: number };

export interface IsolatedAppendResult {
  /** In the order of the sends. */
  outcomes: IsolatedOutcome[];
  pushQueued: number;
  /** Transactions tried (1 unless the batch was split). */
  transactions: number;
}

export async function appendIsolated(
  deps: { db: Db; breaker: CircuitBreaker },
  sends: readonly PendingSend[],
  nowMs: number,
): Promise<IsolatedAppendResult> {
  let pushQueued = 0;
  let transactions = 0;

  async function attempt(part: readonly PendingSend[]): Promise<IsolatedOutcome[]> {
    const wait = deps.breaker.begin();
    if (wait !== undefined) return part.map(() => ({ status: 'unavailable', retryAfterMs: wait }));
    transactions += 1;
    try {
      const result = await appendSends(deps.db, part, nowMs);
      deps.breaker.succeeded();
      pushQueued += result.pushQueued;
      return result.outcomes;
    } catch (error) {
      if (isDbError(error, 'ERR_UNAVAILABLE')) {
        const retryAfterMs = deps.breaker.failed();
        return part.map(() => ({ status: 'unavailable', retryAfterMs }));
      }
      deps.breaker.succeeded(); // it answered: reachable, whatever it said
      if (!isDbError(error, 'ERR_DB_DATA_REJECTED')) throw error;
      if (part.length === 1) {
        const sqlState = error.details?.['sqlState'];
        return [{ status: 'refused', sqlState: typeof sqlState === 'string' ? sqlState : 'unknown' }];
      }
      // Halves in order: seqs stay in batch order, and each half commits or rolls back whole, so no gap.
      const middle = Math.ceil(part.length / 2);
      const first = await attempt(part.slice(0, middle));
      return [...first, ...(await attempt(part.slice(middle)))];
    }
  }

  const outcomes = await attempt(sends);
  return { outcomes, pushQueued, transactions };
}
