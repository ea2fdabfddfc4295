/**
 * This device's own keys over time (docs/e2ee.md#the-sdk-side), with a fake clock: first upload,
 * top-ups, signed-prekey rotation with its grace period, the digest check, retries. The key calls
 * go to a small in-memory stand-in of the platform's key API that keeps what it is sent and
 * digests it with the protocol's canonical encoding, as the platform does; the real calls against
 * the real platform are exercised by group.suite.ts.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeKeyDigestInput } from '@mqtt-chat/protocol';
import { createE2eeStores, createMemoryKeyValueStore, SdkError, type E2eeStores } from '@mqtt-chat/sdk';
import { createLibsignalCrypto } from '@mqtt-chat/sdk/e2ee-node';
import { createDeviceKeys, type DeviceKeys, type UploadKind } from '../../../sdk/src/e2ee/device-keys.js';
import type { KeyApi, KeyUpload, SignedKeyUpload, UploadKeys } from '../../../sdk/src/e2ee/key-api.js';
import { createVirtualClock, type VirtualClock } from '../../../devtools/index.js';

const crypto = createLibsignalCrypto();
const DAY = 86_400_000;

/** The platform's key API for one device, in memory. */
function fakeKeyApi(lowThreshold = 5) {
  let held: { keys: UploadKeys; ec: KeyUpload[]; kyber: SignedKeyUpload[] } | undefined;
  const failures: SdkError[] = [];
  const calls: string[] = [];
  const failIfAsked = (call: string) => {
    calls.push(call);
    const failure = failures.shift();
    if (failure !== undefined) throw failure;
  };
  const api: KeyApi = {
    async uploadKeys(keys) {
      failIfAsked('upload');
      held = { keys, ec: [...keys.oneTimePreKeys], kyber: [...keys.kyberOneTimePreKeys] };
      return { signalDeviceId: 1 };
    },
    async rotateSignedKeys(keys) {
      failIfAsked('rotate');
      held!.keys = { ...held!.keys, ...keys };
    },
    async addOneTimeKeys(keys) {
      failIfAsked('add');
      held!.ec.push(...keys.oneTimePreKeys);
      held!.kyber.push(...keys.kyberOneTimePreKeys);
    },
    async countKeys() {
      failIfAsked('count');
      return held === undefined ? undefined : { signalDeviceId: 1, ec: held.ec.length, kyber: held.kyber.length, lowThreshold };
    },
    async digest() {
      failIfAsked('digest');
      const { keys, ec, kyber } = held!;
      const input = { signalDeviceId: 1, ...keys, oneTimePreKeys: ec, kyberOneTimePreKeys: kyber };
      return {
        signalDeviceId: 1,
        digest: new Uint8Array(createHash('sha256').update(encodeKeyDigestInput(input)).digest()),
        oneTimePreKeyIds: ec.map((k) => k.keyId).sort((a, b) => a - b),
        kyberOneTimePreKeyIds: kyber.map((k) => k.keyId).sort((a, b) => a - b),
      };
    },
    devices: () => Promise.reject(new Error('not used')),
    claim: () => Promise.reject(new Error('not used')),
    room: () => Promise.reject(new Error('not used')),
  };
  return {
    api,
    calls,
    held: () => held!,
    /** Peers claimed `n` bundles: the lowest one-time keys of each kind are gone. */
    claim(n: number) {
      held!.ec.splice(0, n);
      held!.kyber.splice(0, n);
    },
    failNext: (status: number) => failures.push(new SdkError('ERR_SDK_REST', `fake ${status}`, { status })),
  };
}

interface Harness {
  keys: DeviceKeys;
  stores: E2eeStores;
  server: ReturnType<typeof fakeKeyApi>;
  clock: VirtualClock;
  now: { ms: number };
  uploads: UploadKind[];
  mismatches: number[];
  /** Resolves at the next upload of this kind. */
  next(kind: UploadKind): Promise<void>;
}

function harness(options: { stores?: E2eeStores; server?: ReturnType<typeof fakeKeyApi> } = {}): Harness {
  const stores = options.stores ?? createE2eeStores(createMemoryKeyValueStore());
  const server = options.server ?? fakeKeyApi();
  const clock = createVirtualClock();
  const now = { ms: 1_700_000_000_000 };
  const uploads: UploadKind[] = [];
  const mismatches: number[] = [];
  let waiters: { kind: UploadKind; resolve: () => void }[] = [];
  const keys = createDeviceKeys(
    {
      crypto,
      stores,
      api: server.api,
      clock,
      random: () => 0.5,
      nowMs: () => now.ms,
      uploaded(event) {
        uploads.push(event.kind);
        for (const w of waiters.filter((w) => w.kind === event.kind)) w.resolve();
        waiters = waiters.filter((w) => w.kind !== event.kind);
      },
      digestMismatch: (id) => mismatches.push(id),
      log: () => undefined,
    },
    {
      userId: 'alice',
      oneTimePreKeys: 10,
      signedPreKeyRotationMs: 2 * DAY,
      signedPreKeyGraceMs: 30 * DAY,
      retryBackoff: { baseMs: 1000, capMs: 8000 },
    },
  );
  return {
    keys,
    stores,
    server,
    clock,
    now,
    uploads,
    mismatches,
    next: (kind) => new Promise((resolve) => waiters.push({ kind, resolve })),
  };
}

const settled = (h: Harness): Promise<void> => h.keys.idle();

describe('device keys', () => {
  it('generates and uploads everything at first use, then checks the platform digest', async () => {
    const h = harness();
    h.keys.check();
    const own = await h.keys.own();
    expect(own.address).toEqual({ userId: 'alice', deviceId: 1 });
    await settled(h);
    const held = h.server.held();
    expect([held.ec.length, held.kyber.length]).toEqual([10, 10]);
    expect(held.keys.identityKey).toEqual(own.identity.publicKey);
    expect(h.server.calls).toEqual(['upload', 'digest']);
    expect([h.uploads, h.mismatches]).toEqual([['full'], []]);
    // Every private half is on the device: the one-time keys, the signed prekey, the last-resort key.
    expect((await h.stores.preKeys.keys()).length).toBe(10);
    expect((await h.stores.kyberPreKeys.keys()).length).toBe(11);
  });

  it('after a restart, answers from its store at once and uploads nothing while the platform holds enough', async () => {
    const first = harness();
    first.keys.check();
    await settled(first);
    const again = harness({ stores: first.stores, server: first.server });
    again.keys.check();
    expect((await again.keys.own()).address.deviceId).toBe(1);
    await settled(again);
    expect(again.uploads).toEqual([]);
    expect(first.server.calls.slice(2)).toEqual(['count']);
  });

  it('tops up to its target when the count is low, with new key ids, and checks the digest again', async () => {
    const h = harness();
    h.keys.check();
    await settled(h);
    h.server.claim(7);
    const topUp = h.next('top-up');
    h.keys.check();
    await topUp;
    await settled(h);
    const held = h.server.held();
    expect([held.ec.length, held.kyber.length]).toEqual([10, 10]);
    expect(new Set(held.ec.map((k) => k.keyId)).size).toBe(10);
    expect(Math.min(...held.ec.map((k) => k.keyId))).toBe(8); // 1..7 were claimed; 11.. are new
    expect(h.server.calls.slice(2)).toEqual(['count', 'add', 'digest']);
  });

  it('rotates the signed prekeys on schedule, keeps a replaced one for the grace period (a PreKey message built on it still opens), then drops it', async () => {
    const h = harness();
    h.keys.check();
    const own = await h.keys.own();
    await settled(h);
    const old = h.server.held().keys;
    // A peer opens a session on the bundle served before the rotation...
    const peer = createE2eeStores(createMemoryKeyValueStore());
    await peer.identity.setLocal(crypto.newIdentity());
    const bob = { userId: 'bob', deviceId: 1 };
    await crypto.startSession(peer, bob, own.address, {
      registrationId: own.identity.registrationId,
      deviceId: 1,
      identityKey: old.identityKey,
      signedPreKey: old.signedPreKey,
      kyberPreKey: old.kyberLastResortPreKey,
    });
    const inFlight = await crypto.encrypt(peer, bob, own.address, new TextEncoder().encode('sent before the rotation'));

    const rotated = h.next('rotation');
    h.now.ms += 2 * DAY;
    h.clock.advance(2 * DAY); // the timer the last check set
    await rotated;
    await settled(h);
    expect(h.server.held().keys.signedPreKey.keyId).toBe(old.signedPreKey.keyId + 1);
    expect(h.server.held().keys.kyberLastResortPreKey.keyId).not.toBe(old.kyberLastResortPreKey.keyId);
    // ...and its message, arriving after the rotation, still opens.
    const opened = await crypto.decrypt(h.stores, own.address, bob, inFlight);
    expect(new TextDecoder().decode(opened.plaintext)).toBe('sent before the rotation');

    for (let day = 0; day < 31; day += 1) {
      h.now.ms += DAY;
      h.clock.advance(DAY);
      await settled(h);
    }
    expect(await h.stores.signedPreKeys.get(String(old.signedPreKey.keyId))).toBeUndefined();
    expect(await h.stores.kyberPreKeys.get(String(old.kyberLastResortPreKey.keyId))).toBeUndefined();
    expect(await h.stores.signedPreKeys.get(String(h.server.held().keys.signedPreKey.keyId))).toBeDefined();
  });

  it('reports a platform that holds a key the device never uploaded, and replaces everything', async () => {
    const h = harness();
    h.keys.check();
    await settled(h);
    h.server.claim(8);
    h.server.held().ec[0]!.publicKey = crypto.newPreKey(999).publicKey; // swapped on the server
    const full = h.next('full');
    h.keys.check();
    await full;
    await settled(h);
    expect(h.mismatches).toEqual([1]);
    expect(h.uploads).toEqual(['full', 'top-up', 'full']);
    expect(h.server.calls.slice(-3)).toEqual(['digest', 'upload', 'digest']);
  });

  it('retries a failure that a retry may cure with backoff, and rejects own() after one that it cannot', async () => {
    const h = harness();
    h.server.failNext(0); // no answer
    h.keys.check();
    await h.keys.idle();
    expect(h.uploads).toEqual([]);
    h.clock.advance(8000);
    await h.keys.own();
    expect(h.uploads).toEqual(['full']);

    const refused = harness();
    refused.server.failNext(409); // ERR_KEYS_DEVICE_LIMIT
    refused.keys.check();
    await expect(refused.keys.own()).rejects.toMatchObject({ code: 'ERR_SDK_E2EE' });
    refused.keys.check(); // the next connect tries again
    await refused.keys.own();
  });
});
