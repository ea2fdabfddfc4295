/** The NAT proxy's events, kept in order, with a way to await the next one that matches. */
import type { NatProxyEvent } from '../../../mobile-sim/net/nat-proxy.js';

export interface NatEventLog {
  readonly events: NatProxyEvent[];
  /** Pass as the proxy's `onEvent`. */
  onEvent: (event: NatProxyEvent) => void;
  /** Resolves with the first matching event after this call. */
  next: (match: (event: NatProxyEvent) => boolean) => Promise<NatProxyEvent>;
}

export function createNatEventLog(): NatEventLog {
  const events: NatProxyEvent[] = [];
  let waiters: { match: (event: NatProxyEvent) => boolean; resolve: (event: NatProxyEvent) => void }[] = [];
  return {
    events,
    onEvent(event) {
      events.push(event);
      const due = waiters.filter((w) => w.match(event));
      waiters = waiters.filter((w) => !due.includes(w));
      for (const waiter of due) waiter.resolve(event);
    },
    next: (match) => new Promise((resolve) => waiters.push({ match, resolve })),
  };
}
