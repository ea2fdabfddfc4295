/**
 * A device's connection lives no longer than its token (docs/contract.md#mqtt-connect). MQTT 3.1.1
 * cannot re-authenticate a session, so at the token's `exp` the broker closes the connection: the
 * Last Will fires as for any lost device, and the device reconnects with a fresh token or, holding
 * only the expired one, is refused at CONNECT. Without this a stolen or revoked-by-expiry token
 * would keep a connection, and its subscriptions, for as long as the socket lived.
 */
import { at, type Clock } from '../lib/clock.js';

export interface TokenExpiry<C> {
  /** Closes `connection` at `expiresAtMs` unless it has left by then. */
  watch(connection: C, expiresAtMs: number): void;
  forget(connection: C): void;
  close(): void;
}

export function createTokenExpiry<C>(deps: { clock: Clock; expired: (connection: C) => void }): TokenExpiry<C> {
  const cancels = new Map<C, () => void>();
  const forget = (connection: C): void => {
    cancels.get(connection)?.();
    cancels.delete(connection);
  };
  return {
    watch(connection, expiresAtMs) {
      forget(connection);
      cancels.set(
        connection,
        at(deps.clock, expiresAtMs, () => {
          cancels.delete(connection);
          deps.expired(connection);
        }),
      );
    },
    forget,
    close() {
      for (const cancel of cancels.values()) cancel();
      cancels.clear();
    },
  };
}
