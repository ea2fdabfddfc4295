import { describe, expect, it } from 'vitest';
import {
  createMembershipCache,
  type MembershipChangeEvent,
  type MembershipSnapshot,
  type MembershipSource,
} from '../../broker/membership-cache.js';

/** A MembershipSource whose loads stay pending until the test settles them, oldest first. */
function fakeSource() {
  const pending: { roomId: string; resolve(s: MembershipSnapshot | undefined): void; reject(e: unknown): void }[] = [];
  const source: MembershipSource = {
    load: (roomId) => new Promise((resolve, reject) => pending.push({ roomId, resolve, reject })),
  };
  const next = (roomId: string) => {
    const index = pending.findIndex((p) => p.roomId === roomId);
    if (index < 0) throw new Error(`no pending load for ${roomId}`);
    return pending.splice(index, 1)[0]!;
  };
  return {
    source,
    loadsOf: (roomId: string) => pending.filter((p) => p.roomId === roomId).length,
    /** Resolves the oldest pending load of `roomId`; the last seq defaults to 0. */
    resolve: (roomId: string, snapshot: (Omit<MembershipSnapshot, 'lastSeq'> & { lastSeq?: number }) | undefined) =>
      next(roomId).resolve(snapshot === undefined ? undefined : { lastSeq: 0, ...snapshot }),
    reject: (roomId: string, error: unknown) => next(roomId).reject(error),
  };
}

/** Lets every already-settled promise chain run (the cache's reloads are fire-and-forget). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const removed = (roomId: string, memberVersion: number, userId: string): MembershipChangeEvent => ({
  roomId,
  memberVersion,
  userId,
  change: 'removed',
});
const added = (roomId: string, memberVersion: number, userId: string): MembershipChangeEvent => ({
  roomId,
  memberVersion,
  userId,
  change: 'added',
});

/** A cache with room r1 loaded at `memberVersion` with `memberIds`. */
async function loadedCache(memberVersion: number, memberIds: string[]) {
  const fake = fakeSource();
  const cache = createMembershipCache(fake.source);
  const first = cache.isMember('r1', memberIds[0] ?? 'nobody');
  fake.resolve('r1', { memberVersion, memberIds });
  await first;
  return { fake, cache };
}

describe('createMembershipCache', () => {
  it('answers from the loaded snapshot', async () => {
    const { cache } = await loadedCache(1, ['alice', 'bob']);
    await expect(cache.isMember('r1', 'alice')).resolves.toBe(true);
    await expect(cache.isMember('r1', 'carol')).resolves.toBe(false);
  });

  it('loads a room once even for concurrent isMember calls', async () => {
    const fake = fakeSource();
    const cache = createMembershipCache(fake.source);
    const answers = Promise.all([cache.isMember('r1', 'alice'), cache.isMember('r1', 'bob'), cache.isMember('r1', 'carol')]);
    expect(fake.loadsOf('r1')).toBe(1);
    fake.resolve('r1', { memberVersion: 1, memberIds: ['alice', 'bob'] });
    await expect(answers).resolves.toEqual([true, true, false]);
    await expect(cache.isMember('r1', 'alice')).resolves.toBe(true);
    expect(fake.loadsOf('r1')).toBe(0);
  });

  it('loads each room separately', async () => {
    const fake = fakeSource();
    const cache = createMembershipCache(fake.source);
    const inR1 = cache.isMember('r1', 'alice');
    const inR2 = cache.isMember('r2', 'alice');
    expect(fake.loadsOf('r1')).toBe(1);
    expect(fake.loadsOf('r2')).toBe(1);
    fake.resolve('r2', { memberVersion: 1, memberIds: [] });
    fake.resolve('r1', { memberVersion: 1, memberIds: ['alice'] });
    await expect(inR1).resolves.toBe(true);
    await expect(inR2).resolves.toBe(false);
    expect(cache.size).toBe(2);
  });

  it('answers false for a room that does not exist, and does not cache it', async () => {
    const fake = fakeSource();
    const cache = createMembershipCache(fake.source);
    const answer = cache.isMember('nowhere', 'alice');
    fake.resolve('nowhere', undefined);
    await expect(answer).resolves.toBe(false);
    expect(cache.size).toBe(0);
    expect(cache.cachedIsMember('nowhere', 'alice')).toBeUndefined();
  });

  it('propagates a failed load to the callers and tries again next time', async () => {
    const fake = fakeSource();
    const cache = createMembershipCache(fake.source);
    const failed = cache.isMember('r1', 'alice');
    fake.reject('r1', new Error('db down'));
    await expect(failed).rejects.toThrow('db down');
    const retried = cache.isMember('r1', 'alice');
    expect(fake.loadsOf('r1')).toBe(1);
    fake.resolve('r1', { memberVersion: 1, memberIds: ['alice'] });
    await expect(retried).resolves.toBe(true);
  });

  describe('cachedIsMember', () => {
    it('is undefined before the room is loaded, even while a load is in flight', () => {
      const fake = fakeSource();
      const cache = createMembershipCache(fake.source);
      expect(cache.cachedIsMember('r1', 'alice')).toBeUndefined();
      void cache.isMember('r1', 'alice');
      expect(cache.cachedIsMember('r1', 'alice')).toBeUndefined();
    });

    it('answers synchronously once the room is loaded', async () => {
      const { cache } = await loadedCache(1, ['alice']);
      expect(cache.cachedIsMember('r1', 'alice')).toBe(true);
      expect(cache.cachedIsMember('r1', 'bob')).toBe(false);
    });
  });

  describe('apply', () => {
    it('takes a next-version removal into effect synchronously', async () => {
      const { cache } = await loadedCache(3, ['alice', 'bob']);
      cache.apply(removed('r1', 4, 'bob'));
      expect(cache.cachedIsMember('r1', 'bob')).toBe(false);
      expect(cache.cachedIsMember('r1', 'alice')).toBe(true);
    });

    it('takes a next-version addition into effect synchronously', async () => {
      const { cache } = await loadedCache(3, ['alice']);
      cache.apply(added('r1', 4, 'carol'));
      expect(cache.cachedIsMember('r1', 'carol')).toBe(true);
    });

    it('applies consecutive versions one after another without reloading', async () => {
      const { cache, fake } = await loadedCache(1, ['alice']);
      cache.apply(added('r1', 2, 'bob'));
      cache.apply(removed('r1', 3, 'alice'));
      cache.apply(added('r1', 4, 'carol'));
      expect(cache.cachedIsMember('r1', 'alice')).toBe(false);
      expect(cache.cachedIsMember('r1', 'bob')).toBe(true);
      expect(cache.cachedIsMember('r1', 'carol')).toBe(true);
      expect(fake.loadsOf('r1')).toBe(0);
    });

    it('ignores an event for the current or an older version', async () => {
      const { cache, fake } = await loadedCache(5, ['alice', 'bob']);
      cache.apply(removed('r1', 5, 'alice'));
      cache.apply(removed('r1', 4, 'bob'));
      cache.apply(added('r1', 2, 'carol'));
      expect(cache.cachedIsMember('r1', 'alice')).toBe(true);
      expect(cache.cachedIsMember('r1', 'bob')).toBe(true);
      expect(cache.cachedIsMember('r1', 'carol')).toBe(false);
      expect(fake.loadsOf('r1')).toBe(0);
    });

    it('ignores a replayed event once it has been applied', async () => {
      const { cache } = await loadedCache(1, ['alice']);
      cache.apply(removed('r1', 2, 'alice'));
      cache.apply(added('r1', 3, 'alice'));
      cache.apply(removed('r1', 2, 'alice'));
      expect(cache.cachedIsMember('r1', 'alice')).toBe(true);
    });

    it('ignores events for rooms it has not loaded', () => {
      const fake = fakeSource();
      const cache = createMembershipCache(fake.source);
      cache.apply(added('r9', 2, 'alice'));
      expect(cache.size).toBe(0);
      expect(fake.loadsOf('r9')).toBe(0);
    });

    it('reloads the room when a version is skipped', async () => {
      const { cache, fake } = await loadedCache(1, ['alice']);
      cache.apply(added('r1', 3, 'carol'));
      expect(fake.loadsOf('r1')).toBe(1);
      fake.resolve('r1', { memberVersion: 3, memberIds: ['alice', 'bob', 'carol'] });
      await settle();
      expect(cache.cachedIsMember('r1', 'bob')).toBe(true);
      expect(cache.cachedIsMember('r1', 'carol')).toBe(true);
      // The reloaded version is current: the next event applies directly.
      cache.apply(removed('r1', 4, 'bob'));
      expect(cache.cachedIsMember('r1', 'bob')).toBe(false);
    });

    it('honours a removal after a skipped version at once, before the reload ends', async () => {
      const { cache, fake } = await loadedCache(1, ['alice', 'bob']);
      cache.apply(removed('r1', 3, 'bob'));
      expect(cache.cachedIsMember('r1', 'bob')).toBe(false);
      expect(fake.loadsOf('r1')).toBe(1);
    });

    it('drops the room when the reload after a skipped version fails, so the next use reloads', async () => {
      const { cache, fake } = await loadedCache(1, ['alice']);
      cache.apply(added('r1', 3, 'carol'));
      fake.reject('r1', new Error('db down'));
      await settle();
      expect(cache.cachedIsMember('r1', 'alice')).toBeUndefined();
      const answer = cache.isMember('r1', 'carol');
      fake.resolve('r1', { memberVersion: 3, memberIds: ['alice', 'carol'] });
      await expect(answer).resolves.toBe(true);
    });
  });

  describe('races between loads and events', () => {
    it('does not let a reload that read an older version overwrite a newer entry', async () => {
      const { cache, fake } = await loadedCache(1, ['alice', 'bob']);
      cache.apply(removed('r1', 2, 'bob')); // entry is now at version 2
      cache.apply(added('r1', 4, 'carol')); // gap: starts a reload
      fake.resolve('r1', { memberVersion: 1, memberIds: ['alice', 'bob'] }); // a stale read
      await settle();
      expect(cache.cachedIsMember('r1', 'bob')).toBe(false);
      expect(cache.cachedIsMember('r1', 'alice')).toBe(true);
    });

    // The module's own promise: "a slow load that read the table before a removal cannot
    // resurrect the removed member". Here the first load reads version 1, the removal (version 2)
    // is committed and its event reaches the broker, and only then does the load's answer arrive.
    it('keeps a member removed when the first load read the version before the removal', async () => {
      const fake = fakeSource();
      const cache = createMembershipCache(fake.source);
      const answer = cache.isMember('r1', 'bob');
      cache.apply(removed('r1', 2, 'bob'));
      fake.resolve('r1', { memberVersion: 1, memberIds: ['alice', 'bob'] });
      await answer;
      await settle();
      // Catching up by a reload is fine; that reload sees the current table.
      if (fake.loadsOf('r1') > 0) fake.resolve('r1', { memberVersion: 2, memberIds: ['alice'] });
      await settle();
      expect(cache.cachedIsMember('r1', 'bob')).not.toBe(true);
      await expect(cache.isMember('r1', 'bob')).resolves.toBe(false);
    });

    // Two changes in quick succession: the reload started by the first reads the table before
    // the second is committed, and the second's event arrives while that reload is in flight.
    it('keeps a member removed when the removal arrives while a catch-up reload is in flight', async () => {
      const { cache, fake } = await loadedCache(1, ['alice', 'bob']);
      cache.apply(added('r1', 3, 'carol')); // gap: starts a reload
      cache.apply(removed('r1', 4, 'bob')); // arrives before that reload answers
      expect(cache.cachedIsMember('r1', 'bob')).toBe(false);
      fake.resolve('r1', { memberVersion: 3, memberIds: ['alice', 'bob', 'carol'] });
      await settle();
      if (fake.loadsOf('r1') > 0) fake.resolve('r1', { memberVersion: 4, memberIds: ['alice', 'carol'] });
      await settle();
      expect(cache.cachedIsMember('r1', 'bob')).not.toBe(true);
      expect(cache.cachedIsMember('r1', 'carol')).toBe(true);
    });
  });
});

describe('the last seq and clampReadSeq', () => {
  const REFRESH_MS = 1_000;
  /** A cache on a fake clock with room r1 loaded at `lastSeq`. */
  async function cacheAt(lastSeq: number) {
    const fake = fakeSource();
    const clock = { nowMs: 10_000 };
    const cache = createMembershipCache(fake.source, { now: () => clock.nowMs, lastSeqRefreshMs: REFRESH_MS });
    const first = cache.isMember('r1', 'alice');
    fake.resolve('r1', { memberVersion: 1, memberIds: ['alice'], lastSeq });
    await first;
    return { fake, cache, clock };
  }

  it('passes a read at or below the last seq through without a load', async () => {
    const { cache, fake } = await cacheAt(5);
    await expect(cache.clampReadSeq('r1', 5)).resolves.toBe(5);
    await expect(cache.clampReadSeq('r1', 2)).resolves.toBe(2);
    expect(fake.loadsOf('r1')).toBe(0);
  });

  it('clamps a read beyond the last seq to it, from the cache while the value is recent', async () => {
    const { cache, fake, clock } = await cacheAt(5);
    clock.nowMs += REFRESH_MS - 1;
    await expect(cache.clampReadSeq('r1', 2 ** 53 - 1)).resolves.toBe(5);
    expect(fake.loadsOf('r1')).toBe(0);
  });

  it('learns the last seq from the Messages it observes', async () => {
    const { cache, fake } = await cacheAt(5);
    cache.observeSeq('r1', 7);
    cache.observeSeq('r1', 6); // an older Message republished (a duplicate send) lowers nothing
    await expect(cache.clampReadSeq('r1', 9)).resolves.toBe(7);
    cache.observeSeq('r9', 3); // a room not cached is not loaded for it
    expect(fake.loadsOf('r9')).toBe(0);
    expect(cache.size).toBe(1);
  });

  it('rereads the room once the cached value is older than the refresh interval, at most once per interval', async () => {
    const { cache, fake, clock } = await cacheAt(5);
    clock.nowMs += REFRESH_MS;
    const first = cache.clampReadSeq('r1', 12);
    const second = cache.clampReadSeq('r1', 11);
    expect(fake.loadsOf('r1')).toBe(1); // concurrent rereads share one load
    fake.resolve('r1', { memberVersion: 1, memberIds: ['alice'], lastSeq: 10 });
    await expect(first).resolves.toBe(10);
    await expect(second).resolves.toBe(10);
    await expect(cache.clampReadSeq('r1', 12)).resolves.toBe(10);
    expect(fake.loadsOf('r1')).toBe(0);
  });

  it('keeps a seq observed while a load is in flight that the load read too early', async () => {
    const fake = fakeSource();
    const cache = createMembershipCache(fake.source, { now: () => 0, lastSeqRefreshMs: REFRESH_MS });
    const loaded = cache.isMember('r1', 'alice');
    cache.observeSeq('r1', 4);
    fake.resolve('r1', { memberVersion: 1, memberIds: ['alice'], lastSeq: 3 });
    await loaded;
    await expect(cache.clampReadSeq('r1', 9)).resolves.toBe(4);
  });

  it('clamps with the cached value when the reread fails', async () => {
    const { cache, fake, clock } = await cacheAt(5);
    clock.nowMs += REFRESH_MS;
    const clamped = cache.clampReadSeq('r1', 9);
    fake.reject('r1', new Error('db down'));
    await expect(clamped).resolves.toBe(5);
  });

  it('answers 0 for a room that does not exist', async () => {
    const fake = fakeSource();
    const cache = createMembershipCache(fake.source);
    const clamped = cache.clampReadSeq('nowhere', 3);
    fake.resolve('nowhere', undefined);
    await expect(clamped).resolves.toBe(0);
  });
});
