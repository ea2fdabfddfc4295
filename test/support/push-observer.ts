/**
 * What a push worker reported, kept from the moment of observing, so a test awaits an event
 * that may already have happened or may come later, instead of sleeping.
 */
import type { PlanResult, PushSettled, PushWorker } from '../../push/index.js';

export interface PushObserver {
  readonly settlements: PushSettled[];
  /** The first settlement (seen or future) that passes `test`. */
  settled(test: (event: PushSettled) => boolean): Promise<PushSettled>;
  /** The worker took (roomId, seq) out of the outbox: every push the message needed is recorded. */
  planned(roomId: string, seq: number): Promise<PlanResult>;
  stop(): void;
}

export function observePush(worker: Pick<PushWorker, 'onSettled' | 'onPlanned'>): PushObserver {
  const settlements: PushSettled[] = [];
  const plans: PlanResult[] = [];
  let waiters: (() => boolean)[] = [];
  const check = () => (waiters = waiters.filter((isSatisfied) => !isSatisfied()));
  const stops = [
    worker.onSettled((event) => {
      settlements.push(event);
      check();
    }),
    worker.onPlanned((result) => {
      plans.push(result);
      check();
    }),
  ];
  const until = <T>(find: () => T | undefined): Promise<T> =>
    new Promise((resolve) => {
      const isSatisfied = () => {
        const found = find();
        if (found !== undefined) resolve(found);
        return found !== undefined;
      };
      if (!isSatisfied()) waiters.push(isSatisfied);
    });
  return {
    settlements,
    settled: (test) => until(() => settlements.find(test)),
    planned: (roomId, seq) => until(() => plans.find((p) => p.done.some((d) => d.roomId === roomId && d.seq === seq))),
    stop: () => stops.forEach((stop) => stop()),
  };
}
