/**
 * A device's connection lives no longer than its token (docs/contract.md#mqtt-connect). MQTT 3.1.1
 * cannot re-authenticate a session, so at the token's `exp` the broker closes the connection: the
 * Last Will fires as for any lost device, and the device reconnects with a fresh token or, holding
 * only the expired one, is refused at CONNECT. Without this a stolen or revoked-by-expiry token
 * would keep a connection, and its subscriptions, for as long as the socket lived.
 *
 * One timer serves every connection: connections are grouped by expiry instant (`exp` has whole
 * seconds, so tokens issued in the same second share one), and the timer is armed for the
 * earliest group only. A timer, its closure and a map entry per connection cost CPU at every
 * CONNECT and memory for as long as the connection lives; a group costs a set entry.
 */
import { at, type Clock } from '../lib/clock.js';

export interface TokenExpiry<C> {
  /** Closes `connection` at `expiresAtMs` unless it has left by then. */
  watch(connection: C, expiresAtMs: number): void;
  forget(connection: C): void;
  close(): void;
}

export function createTokenExpiry<C>(deps: { clock: Clock; expired: (connection: C) => void }): TokenExpiry<C> {
  const expiryOf = new Map<C, number>();
  const groups = new Map<number, Set<C>>();
  /** Expiry instants of the groups, a binary min-heap; an instant whose group has emptied is skipped when it comes up. */
  const instants: number[] = [];
  let armed: { atMs: number; cancel: () => void } | undefined;

  function push(atMs: number): void {
    instants.push(atMs);
    for (let i = instants.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (instants[parent]! <= atMs) break;
      instants[i] = instants[parent]!;
      instants[parent] = atMs;
      i = parent;
    }
  }

  function pop(): void {
    const last = instants.pop();
    if (last === undefined || instants.length === 0) return;
    instants[0] = last;
    for (let i = 0; ;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < instants.length && instants[left]! < instants[smallest]!) smallest = left;
      if (right < instants.length && instants[right]! < instants[smallest]!) smallest = right;
      if (smallest === i) return;
      [instants[i], instants[smallest]] = [instants[smallest]!, instants[i]!];
      i = smallest;
    }
  }

  /** The earliest instant that still has connections, dropping the emptied ones above it. */
  function earliest(): number | undefined {
    while (instants.length > 0 && !groups.has(instants[0]!)) pop();
    return instants[0];
  }

  function arm(): void {
    const atMs = earliest();
    if (atMs === armed?.atMs) return;
    armed?.cancel();
    armed = atMs === undefined ? undefined : { atMs, cancel: at(deps.clock, atMs, fire) };
  }

  function fire(): void {
    armed = undefined;
    const nowMs = deps.clock.now();
    for (let atMs = earliest(); atMs !== undefined && atMs <= nowMs; atMs = earliest()) {
      const due = groups.get(atMs)!;
      groups.delete(atMs);
      pop();
      for (const connection of due) {
        expiryOf.delete(connection);
        deps.expired(connection);
      }
    }
    arm();
  }

  function remove(connection: C): void {
    const atMs = expiryOf.get(connection);
    if (atMs === undefined) return;
    expiryOf.delete(connection);
    const group = groups.get(atMs);
    group?.delete(connection);
    // Its instant stays in the heap until it comes up; the timer stays armed for it (firing on an empty group is harmless).
    if (group?.size === 0) groups.delete(atMs);
  }

  return {
    watch(connection, expiresAtMs) {
      remove(connection);
      expiryOf.set(connection, expiresAtMs);
      const group = groups.get(expiresAtMs);
      if (group !== undefined) return void group.add(connection);
      groups.set(expiresAtMs, new Set([connection]));
      push(expiresAtMs);
      if (armed === undefined || expiresAtMs < armed.atMs) arm();
    },
    forget: remove,
    close() {
      armed?.cancel();
      armed = undefined;
      expiryOf.clear();
      groups.clear();
      instants.length = 0;
    },
  };
}
