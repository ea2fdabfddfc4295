/**
 * Room membership as the broker's ACL and forward guard see it. Entries are loaded from
 * the store on first use and kept current by RoomEvents (which every broker node receives).
 * Versions make it race-free: an entry only moves forward in member_version, so a slow load
 * that read the table before a removal cannot resurrect the removed member.
 */
export interface MembershipSnapshot {
  memberVersion: number;
  memberIds: readonly string[];
}

export interface MembershipSource {
  /** Undefined when the room does not exist. */
  load(roomId: string): Promise<MembershipSnapshot | undefined>;
}

export interface MembershipChangeEvent {
  roomId: string;
  memberVersion: number;
  userId: string;
  change: 'added' | 'removed';
}

export interface MembershipCache {
  isMember(roomId: string, userId: string): Promise<boolean>;
  /** Synchronous answer for the forward guard; undefined when the room is not cached. */
  cachedIsMember(roomId: string, userId: string): boolean | undefined;
  apply(event: MembershipChangeEvent): void;
  readonly size: number;
}

interface Entry {
  memberVersion: number;
  members: Set<string>;
}

export function createMembershipCache(source: MembershipSource): MembershipCache {
  const entries = new Map<string, Entry>();
  const loading = new Map<string, Promise<Entry | undefined>>();

  function store(roomId: string, candidate: Entry): Entry {
    const current = entries.get(roomId);
    if (current !== undefined && current.memberVersion >= candidate.memberVersion) return current;
    entries.set(roomId, candidate);
    return candidate;
  }

  function load(roomId: string): Promise<Entry | undefined> {
    const pending = loading.get(roomId);
    if (pending !== undefined) return pending;
    const promise = source
      .load(roomId)
      .then((snapshot) =>
        snapshot === undefined ? undefined : store(roomId, { memberVersion: snapshot.memberVersion, members: new Set(snapshot.memberIds) }),
      )
      .finally(() => loading.delete(roomId));
    loading.set(roomId, promise);
    return promise;
  }

  return {
    async isMember(roomId, userId) {
      const entry = entries.get(roomId) ?? (await load(roomId));
      return entry?.members.has(userId) ?? false;
    },
    cachedIsMember(roomId, userId) {
      return entries.get(roomId)?.members.has(userId);
    },
    apply(event) {
      const entry = entries.get(event.roomId);
      if (entry === undefined || event.memberVersion <= entry.memberVersion) return;
      const isNextVersion = event.memberVersion === entry.memberVersion + 1;
      if (isNextVersion) {
        if (event.change === 'added') entry.members.add(event.userId);
        else entry.members.delete(event.userId);
        entry.memberVersion = event.memberVersion;
        return;
      }
      // Missed an event in between: honour a removal at once, then reread the whole set
      // (the reread is newer than the entry, so it replaces it).
      if (event.change === 'removed') entry.members.delete(event.userId);
      load(event.roomId).catch(() => entries.delete(event.roomId));
    },
    get size() {
      return entries.size;
    },
  };
}
