/**
 * A device's connection lives no longer than its token (docs/contract.md#mqtt-connect). MQTT 3.1.1
 * cannot re-authenticate a session, so at the token's `exp` the broker closes the connection: the
 * Last Will fires as for any lost device, and the device reconnects with a fresh token or, holding
 * only the expired one, is refused at CONNECT. Without this a stolen or revoked-by-expiry token
 * would keep a connection, and its subscriptions, for as long as the socket lived.
 *
 * One timer for all connections, armed for the earliest expiry: a timer per connection cost
 * about half a KiB each (the Timeout, Node's list for its distinct delay, and the closures
 * around it) for every idle connection a node holds. Connections are grouped by expiry time
 * (a JWT's `exp` is in whole seconds, so tokens issued in the same second share a group).
 */
import { at, type Clock } from '../lib/clock.js';

export interface TokenExpiry<C> {
  /** Closes `connection` at `expiresAtMs` unless it has left by then. */
  watch(connection: C, expiresAtMs: number): void;
  forget(connection: C): void;
  close(): void;
}

interface Group<C> {
  atMs: number;
  members: Set<C>;
  /** Its place in the heap. */
  index: number;
}

export function createTokenExpiry<C>(deps: { clock: Clock; expired: (connection: C) => void }): TokenExpiry<C> {
  const groupOf = new Map<C, Group<C>>();
  const groupAt = new Map<number, Group<C>>();
  /** The groups as a binary min-heap on `atMs`: adding and removing one is O(log n). */
  const heap: Group<C>[] = [];
  let armed: { atMs: number; cancel: () => void } | undefined;

  const place = (group: Group<C>, index: number): void => {
    heap[index] = group;
    group.index = index;
  };
  const siftUp = (group: Group<C>): void => {
    let index = group.index;
    while (index > 0) {
      const parent = heap[(index - 1) >> 1]!;
      if (parent.atMs <= group.atMs) break;
      place(parent, index);
      index = (index - 1) >> 1;
    }
    place(group, index);
  };
  const siftDown = (group: Group<C>): void => {
    let index = group.index;
    for (;;) {
      const left = 2 * index + 1;
      const smaller = left + 1 < heap.length && heap[left + 1]!.atMs < heap[left]!.atMs ? left + 1 : left;
      if (smaller >= heap.length || heap[smaller]!.atMs >= group.atMs) break;
      place(heap[smaller]!, index);
      index = smaller;
    }
    place(group, index);
  };
  const remove = (group: Group<C>): void => {
    groupAt.delete(group.atMs);
    const last = heap.pop()!;
    if (last === group) return;
    place(last, group.index);
    siftUp(last);
    siftDown(last);
  };
  const rearm = (): void => {
    const next = heap[0]?.atMs;
    if (armed?.atMs === next) return;
    armed?.cancel();
    armed = next === undefined ? undefined : { atMs: next, cancel: at(deps.clock, next, fire) };
  };
  function fire(): void {
    armed = undefined;
    const nowMs = deps.clock.now();
    const due: C[] = [];
    while (heap.length > 0 && heap[0]!.atMs <= nowMs) {
      const group = heap[0]!;
      remove(group);
      for (const connection of group.members) {
        groupOf.delete(connection);
        due.push(connection);
      }
    }
    rearm(); // first: an `expired` that throws must not end the schedule
    for (const connection of due) deps.expired(connection);
  }
  const forget = (connection: C): void => {
    const group = groupOf.get(connection);
    if (group === undefined) return;
    groupOf.delete(connection);
    group.members.delete(connection);
    if (group.members.size > 0) return;
    remove(group);
    rearm();
  };

  return {
    watch(connection, expiresAtMs) {
      forget(connection);
      let group = groupAt.get(expiresAtMs);
      if (group === undefined) {
        group = { atMs: expiresAtMs, members: new Set(), index: heap.length };
        groupAt.set(expiresAtMs, group);
        heap.push(group);
        siftUp(group);
        rearm();
      }
      group.members.add(connection);
      groupOf.set(connection, group);
    },
    forget,
    close() {
      armed?.cancel();
      armed = undefined;
      groupOf.clear();
      groupAt.clear();
      heap.length = 0;
    },
  };
}
