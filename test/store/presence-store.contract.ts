/** The contract of presence soft state, run against the in-memory and the Redis store. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PresenceStore } from '../../store/index.js';

export function describePresenceStoreContract(
  name: string,
  open: () => Promise<{ store: PresenceStore; advance: (ms: number) => Promise<void> }>,
): void {
  describe(`presence store contract: ${name}`, () => {
    let store: PresenceStore;
    let advance: (ms: number) => Promise<void>;
    let n = 0;
    const user = () => `user${(n += 1)}-${Math.random().toString(36).slice(2, 8)}`;
    beforeAll(async () => {
      ({ store, advance } = await open());
    });
    afterAll(async () => store?.close());

    it('is online while any device is, and offline with a last-seen time when the last leaves', async () => {
      const u = user();
      expect(await store.refresh(u, 'phone', 60_000)).toBe(true);
      expect(await store.refresh(u, 'laptop', 60_000)).toBe(false);
      expect(await store.drop(u, 'phone', 1_000)).toBe(false);
      expect((await store.read([u])).get(u)).toEqual({ online: true, lastSeenMs: 0 });
      expect(await store.drop(u, 'laptop', 2_000)).toBe(true);
      expect((await store.read([u])).get(u)).toEqual({ online: false, lastSeenMs: 2_000 });
    });

    it('expires a device nobody refreshes, and hands the expired user to one sweep only', async () => {
      const u = user();
      await store.refresh(u, 'phone', 150);
      await advance(300);
      expect((await store.read([u])).get(u)?.online).toBe(false);
      const first = await store.sweepExpired(5_000);
      const second = await store.sweepExpired(6_000);
      expect(first).toContain(u);
      expect(second).not.toContain(u);
      expect((await store.read([u])).get(u)).toEqual({ online: false, lastSeenMs: 5_000 });
    });

    it('keeps a refreshed device online past its first TTL', async () => {
      const u = user();
      await store.refresh(u, 'phone', 200);
      await advance(120);
      await store.refresh(u, 'phone', 200);
      await advance(120);
      expect((await store.read([u])).get(u)?.online).toBe(true);
      expect(await store.sweepExpired(0)).not.toContain(u);
    });

    it('reads a user never seen as offline, last seen never', async () => {
      const u = user();
      expect((await store.read([u])).get(u)).toEqual({ online: false, lastSeenMs: 0 });
    });
  });
}
