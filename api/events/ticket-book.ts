/**
 * Tickets are single-use: a ticket that leaked into a log or a proxy's history cannot open a
 * second stream. The book remembers each redeemed ticket until it expires anyway; it is per
 * node (a ticket replayed on another API node within its few seconds is not caught there).
 */
export interface TicketBook {
  /** True the first time `ticketId` is redeemed (before `expiresAtMs`); false after, or when the book is full. */
  redeem(ticketId: string, expiresAtMs: number): boolean;
  size(): number;
}

export function createTicketBook(deps: { now: () => number }, options: { maxTickets: number }): TicketBook {
  /** Redeemed ticket → its expiry; a Map iterates in insertion order, which is close to expiry order. */
  const redeemed = new Map<string, number>();

  function forgetExpired(): void {
    const nowMs = deps.now();
    for (const [ticketId, expiresAtMs] of redeemed) {
      if (expiresAtMs > nowMs) continue;
      redeemed.delete(ticketId);
    }
  }

  return {
    redeem(ticketId, expiresAtMs) {
      if (redeemed.has(ticketId)) return false;
      if (redeemed.size >= options.maxTickets) forgetExpired();
      // Still full of live tickets: refusing is safe (the client asks for a new ticket and retries), forgetting is not.
      if (redeemed.size >= options.maxTickets) return false;
      redeemed.set(ticketId, expiresAtMs);
      return true;
    },
    size: () => redeemed.size,
  };
}
