/**
 * A device's connection lives no longer than its token (docs/contract.md#mqtt-connect). MQTT 3.1.1
 * cannot re-authenticate a session, so at the token's `exp` the broker closes the connection: the
 * Last Will fires as for any lost device, and the device reconnects with a fresh token or, holding
 * only the expired one, is refused at CONNECT. Without this a stolen or revoked-by-expiry token
 * would keep a connection, and its subscriptions, for as long as the socket lived.
 */
import type { Client } from 'aedes';

/** setTimeout's longest delay; a later expiry is re-armed when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface TokenExpiry {
  /** Closes `client` at `expiresAtMs` unless it has left by then. */
  watch(client: Client, expiresAtMs: number): void;
  forget(client: Client): void;
  close(): void;
}

export function createTokenExpiry(deps: { now: () => number; expired: (client: Client) => void }): TokenExpiry {
  const timers = new Map<Client, NodeJS.Timeout>();

  function arm(client: Client, expiresAtMs: number): void {
    const delayMs = Math.max(0, expiresAtMs - deps.now());
    const timer = setTimeout(
      () => {
        timers.delete(client);
        if (delayMs > MAX_TIMER_MS) return arm(client, expiresAtMs);
        deps.expired(client);
      },
      Math.min(delayMs, MAX_TIMER_MS),
    );
    timer.unref();
    timers.set(client, timer);
  }

  return {
    watch(client, expiresAtMs) {
      clearTimeout(timers.get(client));
      arm(client, expiresAtMs);
    },
    forget(client) {
      clearTimeout(timers.get(client));
      timers.delete(client);
    },
    close() {
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}
