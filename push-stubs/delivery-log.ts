/**
 * What a stub accepted, in order: tests and the simulator assert on "delivered to device X" by
 * reading it or by waiting for the Nth delivery (resolved by the delivery itself, never by polling).
 */
import { AppError } from '../lib/errors.js';

/**
 * The embedded platform runs a stub for as long as it runs: only the latest deliveries are kept,
 * so a long session's memory stays bounded.
 */
export const DEFAULT_MAX_DELIVERIES = 10_000;

export interface DeliveryFilter {
  token?: string;
}

export interface DeliveryLog<D extends { token: string }> {
  record(delivery: D): void;
  list(filter?: DeliveryFilter): D[];
  /**
   * Resolves with the matching deliveries once there are at least `count`. Rejects with
   * ERR_PUSH_STUB_TIMEOUT after `timeoutMs` (when given) or ERR_PUSH_STUB_CLOSED on close.
   */
  waitFor(count: number, filter?: DeliveryFilter & { timeoutMs?: number }): Promise<D[]>;
  clear(): void;
  /** Rejects every pending wait. */
  close(): void;
}

interface Waiter<D> {
  count: number;
  filter: DeliveryFilter;
  resolve(deliveries: D[]): void;
  reject(error: AppError): void;
}

export function createDeliveryLog<D extends { token: string }>(maxDeliveries = DEFAULT_MAX_DELIVERIES): DeliveryLog<D> {
  let deliveries: D[] = [];
  let waiters: Waiter<D>[] = [];
  const list = (filter: DeliveryFilter = {}) => deliveries.filter((d) => filter.token === undefined || d.token === filter.token);
  const settleReady = () => {
    for (const waiter of waiters) {
      const matching = list(waiter.filter);
      if (matching.length >= waiter.count) {
        waiters = waiters.filter((w) => w !== waiter);
        waiter.resolve(matching);
      }
    }
  };
  return {
    record(delivery) {
      deliveries.push(delivery);
      if (deliveries.length > maxDeliveries) deliveries.shift();
      settleReady();
    },
    list,
    waitFor(count, { timeoutMs, ...filter } = {}) {
      const ready = list(filter);
      if (ready.length >= count) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        const timer =
          timeoutMs === undefined
            ? undefined
            : setTimeout(() => {
                waiters = waiters.filter((w) => w !== waiter);
                const seen = list(filter).length;
                reject(
                  new AppError('ERR_PUSH_STUB_TIMEOUT', `${seen} of ${count} deliveries within ${timeoutMs} ms`, {
                    details: { seen, count },
                  }),
                );
              }, timeoutMs);
        const waiter: Waiter<D> = {
          count,
          filter,
          resolve: (matching) => {
            clearTimeout(timer);
            resolve(matching);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        };
        waiters.push(waiter);
      });
    },
    clear() {
      deliveries = [];
    },
    close() {
      for (const waiter of waiters) waiter.reject(new AppError('ERR_PUSH_STUB_CLOSED', 'stub closed'));
      waiters = [];
    },
  };
}
