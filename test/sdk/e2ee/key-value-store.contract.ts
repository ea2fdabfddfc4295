/**
 * The contract every `KeyValueStore` behind the SDK's end-to-end state must keep, run against the
 * in-memory store and the file store; and the typed stores built over it.
 */
import { describe, expect, it } from 'vitest';
import { createE2eeStores, type KeyValueStore } from '@mqtt-chat/sdk';

export interface OpenedStore {
  store: KeyValueStore;
  /** The same store opened again (a restart), for backends that persist; undefined for memory. */
  reopen?: () => Promise<KeyValueStore>;
}

const bytes = (...values: number[]) => new Uint8Array(values);

export function describeKeyValueStoreContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`key-value store contract: ${name}`, () => {
    it('keeps bytes under keys, deletes them, and lists keys by prefix', async () => {
      const { store } = await open();
      await store.set('session/alice.1', bytes(1, 2, 3));
      await store.set('session/bob.2', bytes());
      await store.set('prekey/7', bytes(9));
      expect([...(await store.get('session/alice.1'))!]).toEqual([1, 2, 3]);
      expect([...(await store.get('session/bob.2'))!]).toEqual([]);
      expect((await store.keys('session/')).sort()).toEqual(['session/alice.1', 'session/bob.2']);
      await store.delete('session/alice.1');
      await store.delete('never/there');
      expect(await store.get('session/alice.1')).toBeUndefined();
      expect(await store.keys('session/')).toEqual(['session/bob.2']);
      await store.flush();
    });

    it('serves typed stores: identities trusted on first use, structured records with their bytes', async () => {
      const stores = createE2eeStores((await open()).store);
      const bob = { userId: 'bob', deviceId: 2 };
      expect(await stores.identity.saveRemote(bob, bytes(5, 1))).toBe('new');
      expect(await stores.identity.saveRemote(bob, bytes(5, 1))).toBe('unchanged');
      expect(await stores.identity.saveRemote(bob, bytes(5, 2))).toBe('replaced');
      expect([...(await stores.identity.remote(bob))!]).toEqual([5, 2]);
      await stores.kyberPreKeys.set('3', {
        keyId: 3,
        publicKey: bytes(8),
        signature: bytes(1),
        record: bytes(2),
        createdAtMs: 10,
        lastResort: true,
      });
      const kyber = await stores.kyberPreKeys.get('3');
      expect([kyber!.keyId, [...kyber!.publicKey], kyber!.lastResort]).toEqual([3, [8], true]);
      expect(await stores.preKeys.keys()).toEqual([]);
      expect(await stores.kyberPreKeys.keys()).toEqual(['3']);
    });

    it('keeps what was flushed across a reopen, the latest value of each key, deletions included', async () => {
      const opened = await open();
      if (opened.reopen === undefined) return; // memory keeps nothing across a restart, by design
      const { store } = opened;
      await store.set('a', bytes(1));
      await store.set('b', bytes(2));
      const first = store.flush();
      await store.set('a', bytes(3));
      await store.delete('b');
      await store.set('c/x', bytes(4));
      await Promise.all([first, store.flush()]);
      const again = await opened.reopen();
      expect([...(await again.get('a'))!]).toEqual([3]);
      expect(await again.get('b')).toBeUndefined();
      expect(await again.keys('c/')).toEqual(['c/x']);
    });
  });
}
