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
  /** Events that arrived while their room was loading: replayed on top of what the load read. */
  const heldEvents = new Map<string, MembershipChangeEvent[]>();

  function load(roomId: string): Promise<Entry | undefined> {
    const pending = loading.get(roomId);
    if (pending !== undefined) return pending;
    const promise = source.load(roomId).then(
      (snapshot) => {
        loading.delete(roomId);
        const held = heldEvents.get(roomId) ?? [];
        heldEvents.delete(roomId);
        if (snapshot === undefined) return undefined;
        const current = entries.get(roomId);
        if (current === undefined || current.memberVersion < snapshot.memberVersion) {
          entries.set(roomId, { memberVersion: snapshot.memberVersion, members: new Set(snapshot.memberIds) });
        }
        for (const event of held.sort((a, b) => a.memberVersion - b.memberVersion)) applyToEntry(event);
        return entries.get(roomId);
      },
      (error: unknown) => {
        loading.delete(roomId);
        heldEvents.delete(roomId);
        throw error;
      },
    );
    loading.set(roomId, promise);
    return promise;
  }

  function applyToEntry(event: MembershipChangeEvent): void {
    const entry = entries.get(event.roomId);
    if (entry === undefined || event.memberVersion <= entry.memberVersion) return;
    // A removal takes effect at once, whatever else is missing: that is the forward guard's promise.
    if (event.change === 'removed') entry.members.delete(event.userId);
    const isNextVersion = event.memberVersion === entry.memberVersion + 1;
    if (isNextVersion) {
      if (event.change === 'added') entry.members.add(event.userId);
      entry.memberVersion = event.memberVersion;
      return;
    }
    // Missed an event in between: reread the whole set; this event is replayed on top of it.
    holdDuringLoad(event);
    load(event.roomId).catch(() => entries.delete(event.roomId));
  }

  function holdDuringLoad(event: MembershipChangeEvent): void {
    const held = heldEvents.get(event.roomId) ?? [];
    held.push(event);
    heldEvents.set(event.roomId, held);
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
      if (loading.has(event.roomId)) holdDuringLoad(event);
      applyToEntry(event);
    },
    get size() {
      return entries.size;
    },
  };
}
