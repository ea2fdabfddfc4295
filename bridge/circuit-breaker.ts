/**
 * Whether sends should reach the database now. After a batch fails because the database is
 * unreachable, the breaker opens: sends are answered at once (Nack UNAVAILABLE with the wait
 * until the next probe) instead of piling up behind connection attempts that each take a
 * timeout. Every `probeIntervalMs` one batch is let through as the probe; its success closes
 * the breaker, so service resumes within one interval of the database returning.
 * Pure apart from the injected clock.
 */
export interface CircuitBreakerOptions {
  probeIntervalMs: number;
}

export type BreakerState = 'closed' | 'open' | 'probing';

export interface CircuitBreaker {
  /** For a send arriving: undefined when it may be queued, otherwise the milliseconds to wait before resending. */
  refusal(): number | undefined;
  /** For a batch about to run: undefined to go ahead (perhaps as the probe), otherwise the wait. */
  begin(): number | undefined;
  /** The database answered (whatever it said): close. */
  succeeded(): void;
  /** The database was unreachable: open until the next probe; returns the wait until then. */
  failed(): number;
  state(): BreakerState;
}

export function createCircuitBreaker(deps: { now: () => number }, options: CircuitBreakerOptions): CircuitBreaker {
  let state: BreakerState = 'closed';
  let probeAtMs = 0;

  const untilProbe = (): number => Math.max(1, Math.ceil(probeAtMs - deps.now()));
  const probeDue = (): boolean => deps.now() >= probeAtMs;

  return {
    refusal() {
      if (state === 'closed') return undefined;
      if (state === 'probing') return options.probeIntervalMs;
      return probeDue() ? undefined : untilProbe();
    },
    begin() {
      if (state === 'closed') return undefined;
      if (state === 'probing') return options.probeIntervalMs; // one probe at a time
      if (!probeDue()) return untilProbe();
      state = 'probing';
      return undefined;
    },
    succeeded() {
      state = 'closed';
    },
    failed() {
      state = 'open';
      probeAtMs = deps.now() + options.probeIntervalMs;
      return options.probeIntervalMs;
    },
    state: () => state,
  };
}
