/**
 * The forward guard for presence topics: a subscription to chat/presence/{userId} (or a
 * device's) is granted while the two users share a room, and must stop delivering once they
 * share none, although MQTT keeps the subscription. Checking the database per delivery is out
 * of the question (presence fans out to every watcher), so each granted watch remembers the
 * rooms the pair shared at SUBSCRIBE time, and a delivery checks them against the membership
 * cache, which RoomEvents keep current: a removal takes effect at the next delivery, with two
 * map lookups per candidate room and no allocation. Rooms the pair gains later (a member added,
 * a room created) are added to the watches of the users concerned.
 */
import type { MembershipCache } from './membership-cache.js';

export interface PresenceGuard {
  /** SUBSCRIBE time: does `subscriberId` share a room with `watchedId`? Remembered for `connection`'s deliveries. */
  watch(connection: object, subscriberId: string, watchedId: string): Promise<boolean>;
  /** Per delivery, synchronous: may `connection` still receive `watchedId`'s presence? False for a watch never granted. */
  mayDeliver(connection: object, watchedId: string): boolean;
  /** Room `roomId` gained these members (added to it, or it was created with them). */
  roomGained(roomId: string, userIds: readonly string[]): Promise<void>;
  /** The connection closed: its watches are forgotten. */
  connectionGone(connection: object): void;
  /** Watches held, over all connections. */
  readonly size: number;
}

export interface PresenceGuardDeps {
  membership: Pick<MembershipCache, 'isMember' | 'cachedIsMember' | 'members'>;
  /** Up to `limit` rooms both users are members of. */
  sharedRoomIds(userId: string, otherUserId: string, limit: number): Promise<string[]>;
}

/** Candidate rooms kept per watch: one that is still shared is enough, the rest are spares. */
export const DEFAULT_ROOMS_PER_WATCH = 8;

interface Watch {
  readonly subscriberId: string;
  readonly watchedId: string;
  /** Rooms the pair shared when last looked at; pruned as they stop being shared. */
  roomIds: string[];
  /** The pair may share more rooms than `roomIds` holds: once those run out, ask the store again. */
  truncated: boolean;
  refreshing: boolean;
}

export function createPresenceGuard(deps: PresenceGuardDeps, options: { roomsPerWatch: number }): PresenceGuard {
  const byConnection = new Map<object, Map<string, Watch>>();
  /** Every watch a user takes part in, as subscriber or as watched: what a gained room must update. */
  const byUser = new Map<string, Set<Watch>>();
  let size = 0;

  function index(userId: string, watch: Watch, add: boolean): void {
    const watches = byUser.get(userId) ?? new Set<Watch>();
    if (add) watches.add(watch);
    else watches.delete(watch);
    if (watches.size === 0) byUser.delete(userId);
    else byUser.set(userId, watches);
  }

  function forget(watch: Watch): void {
    index(watch.subscriberId, watch, false);
    index(watch.watchedId, watch, false);
    size -= 1;
  }

  async function sharedRooms(subscriberId: string, watchedId: string): Promise<{ roomIds: string[]; truncated: boolean }> {
    const roomIds = await deps.sharedRoomIds(subscriberId, watchedId, options.roomsPerWatch);
    // Loaded into the membership cache now, so that deliveries can check them synchronously.
    await Promise.all(roomIds.map((roomId) => deps.membership.isMember(roomId, subscriberId)));
    return { roomIds, truncated: roomIds.length >= options.roomsPerWatch };
  }

  /** Whether the pair still shares one of its candidate rooms; drops the candidates it no longer shares. */
  function sharesNow(watch: Watch): boolean {
    const { roomIds } = watch;
    let isUnknown = false;
    for (let i = 0; i < roomIds.length;) {
      const roomId = roomIds[i]!;
      const subscriberIn = deps.membership.cachedIsMember(roomId, watch.subscriberId);
      const watchedIn = deps.membership.cachedIsMember(roomId, watch.watchedId);
      if (subscriberIn === true && watchedIn === true) return true;
      if (subscriberIn === false || watchedIn === false) {
        roomIds.splice(i, 1);
        continue;
      }
      // Not cached (its reload failed): not counted as shared until it is loaded again.
      isUnknown = true;
      i += 1;
    }
    if (isUnknown || (roomIds.length === 0 && watch.truncated)) refresh(watch);
    return false;
  }

  function refresh(watch: Watch): void {
    if (watch.refreshing) return;
    watch.refreshing = true;
    sharedRooms(watch.subscriberId, watch.watchedId)
      .then(
        (found) => {
          watch.roomIds = found.roomIds;
          watch.truncated = found.truncated;
        },
        () => undefined, // tried again at the next delivery
      )
      .finally(() => (watch.refreshing = false));
  }

  return {
    async watch(connection, subscriberId, watchedId) {
      const found = await sharedRooms(subscriberId, watchedId);
      const watch: Watch = { subscriberId, watchedId, ...found, refreshing: false };
      // A refused SUBSCRIBE adds no subscription, so it leaves no watch (an earlier one stays, checked live).
      if (!sharesNow(watch)) return false;
      const watches = byConnection.get(connection) ?? new Map<string, Watch>();
      const previous = watches.get(watchedId);
      if (previous !== undefined) forget(previous);
      watches.set(watchedId, watch);
      byConnection.set(connection, watches);
      index(subscriberId, watch, true);
      index(watchedId, watch, true);
      size += 1;
      return true;
    },
    mayDeliver(connection, watchedId) {
      const watch = byConnection.get(connection)?.get(watchedId);
      return watch !== undefined && sharesNow(watch);
    },
    async roomGained(roomId, userIds) {
      const concerned = new Set(userIds.flatMap((userId) => [...(byUser.get(userId) ?? [])]));
      if (concerned.size === 0) return;
      const members = await deps.membership.members(roomId);
      for (const watch of concerned) {
        const isShared = members.has(watch.subscriberId) && members.has(watch.watchedId);
        if (!isShared || watch.roomIds.includes(roomId)) continue;
        if (watch.roomIds.length < options.roomsPerWatch) watch.roomIds.push(roomId);
        else watch.truncated = true;
      }
    },
    connectionGone(connection) {
      const watches = byConnection.get(connection);
      if (watches === undefined) return;
      byConnection.delete(connection);
      for (const watch of watches.values()) forget(watch);
    },
    get size() {
      return size;
    },
  };
}
