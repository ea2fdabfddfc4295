/**
 * Room state as the broker's ACL, forward guard and receipt relay see it: members, and the
 * room's last seq. Entries are loaded from the store on first use and kept current by
 * RoomEvents (which every broker node receives) and by the room Messages that pass the broker.
 * Versions make membership race-free: an entry only moves forward in member_version, so a slow
 * load that read the table before a removal cannot resurrect the removed member.
 */
export interface MembershipSnapshot {
  memberVersion: number;
  memberIds: readonly string[];
  /** The room's highest seq when the snapshot was read. */
  lastSeq: number;
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
  /** The room's members, loaded if needed; empty when the room does not exist. */
  members(roomId: string): Promise<ReadonlySet<string>>;
  apply(event: MembershipChangeEvent): void;
  /** A room Message with this seq passed the broker: the room's last seq is at least `seq`. */
  observeSeq(roomId: string, seq: number): void;
  /**
   * `readSeq`, lowered to the room's last seq when above it (0 when the room does not exist).
   * A read beyond the cached last seq rereads the room, at most once per `lastSeqRefreshMs`,
   * in case this node missed Messages (a Redis blip); in between, the cached value clamps.
   */
  clampReadSeq(roomId: string, readSeq: number): Promise<number>;
  readonly size: number;
}

export interface MembershipCacheOptions {
  now: () => number;
  lastSeqRefreshMs: number;
}

export const DEFAULT_LAST_SEQ_REFRESH_MS = 1_000;

interface Entry {
  memberVersion: number;
  members: Set<string>;
  lastSeq: number;
  lastSeqReadAtMs: number;
}

const NO_MEMBERS: ReadonlySet<string> = new Set();

export function createMembershipCache(
  source: MembershipSource,
  options: MembershipCacheOptions = { now: Date.now, lastSeqRefreshMs: DEFAULT_LAST_SEQ_REFRESH_MS },
): MembershipCache {
  const entries = new Map<string, Entry>();
  const loading = new Map<string, Promise<Entry | undefined>>();
  /** Events that arrived while their room was loading: replayed on top of what the load read. */
  const heldEvents = new Map<string, MembershipChangeEvent[]>();
  /** The highest seq seen while the room was loading: the load may have read the row before it. */
  const seqsWhileLoading = new Map<string, number>();

  function load(roomId: string): Promise<Entry | undefined> {
    const pending = loading.get(roomId);
    if (pending !== undefined) return pending;
    const promise = source.load(roomId).then(
      (snapshot) => {
        loading.delete(roomId);
        const held = heldEvents.get(roomId) ?? [];
        heldEvents.delete(roomId);
        const seenSeq = seqsWhileLoading.get(roomId) ?? 0;
        seqsWhileLoading.delete(roomId);
        if (snapshot === undefined) return undefined;
        const lastSeq = Math.max(snapshot.lastSeq, seenSeq);
        const readAtMs = options.now();
        const current = entries.get(roomId);
        if (current === undefined || current.memberVersion < snapshot.memberVersion) {
          entries.set(roomId, {
            memberVersion: snapshot.memberVersion,
            members: new Set(snapshot.memberIds),
            lastSeq,
            lastSeqReadAtMs: readAtMs,
          });
        } else {
          // Taken as read, not as a max with the cached value: a history reset lowers the last seq.
          current.lastSeq = lastSeq;
          current.lastSeqReadAtMs = readAtMs;
        }
        for (const event of held.sort((a, b) => a.memberVersion - b.memberVersion)) applyToEntry(event);
        return entries.get(roomId);
      },
      (error: unknown) => {
        loading.delete(roomId);
        heldEvents.delete(roomId);
        seqsWhileLoading.delete(roomId);
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
    async members(roomId) {
      const entry = entries.get(roomId) ?? (await load(roomId));
      return entry?.members ?? NO_MEMBERS;
    },
    apply(event) {
      if (loading.has(event.roomId)) holdDuringLoad(event);
      applyToEntry(event);
    },
    observeSeq(roomId, seq) {
      if (loading.has(roomId)) seqsWhileLoading.set(roomId, Math.max(seq, seqsWhileLoading.get(roomId) ?? 0));
      const entry = entries.get(roomId);
      if (entry !== undefined && seq > entry.lastSeq) entry.lastSeq = seq;
    },
    async clampReadSeq(roomId, readSeq) {
      let entry = entries.get(roomId) ?? (await load(roomId));
      if (entry === undefined) return 0;
      if (readSeq <= entry.lastSeq) return readSeq;
      const isRecent = options.now() - entry.lastSeqReadAtMs < options.lastSeqRefreshMs;
      if (!isRecent) {
        // A failed reread keeps the cached value: a receipt is never refused for the database's sake.
        entry = (await load(roomId).catch(() => entry)) ?? entry;
      }
      return Math.min(readSeq, entry.lastSeq);
    },
    get size() {
      return entries.size;
    },
  };
}
