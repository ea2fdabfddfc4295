/**
 * This device's own keys on the platform (docs/e2ee.md#the-sdk-side): generated and uploaded on
 * first use (identity, signed prekey, Kyber last-resort prekey, one-time EC and Kyber prekeys),
 * topped up when the platform says they run low (a `KeysLow` notice) or the count checked at each
 * connect is low, the signed prekeys rotated on a schedule (the replaced private keys kept for a
 * grace period: PreKey messages built on them may still be on their way), and after each upload
 * the platform's digest compared with what the device uploaded. A mismatch means the platform
 * holds a key this device never made: it is reported, and everything is replaced once.
 *
 * One check runs at a time; a request during a check runs another after it. Failures that a
 * retry may cure (no network, 5xx) are retried with backoff; others are reported and wait for the
 * next connect.
 */
import { encodeKeyDigestInput, type KeyDigestInput } from '@mqtt-chat/protocol';
import { backoffDelayMs, type BackoffOptions } from '../backoff.js';
import type { Clock, TimerHandle } from '../clock.js';
import { SdkError } from '../errors.js';
import { sameBytes } from './bytes.js';
import type { LocalIdentity, SignalAddress, SignalCrypto } from './crypto.js';
import { isTransient, type KeyApi, type KeyCounts } from './key-api.js';
import type { E2eeStores, StoredKyberPreKey, StoredSignedPreKey } from './stores.js';

/** Per kind and upload: the platform takes at most 100 one-time keys of a kind per call. */
export const MAX_ONE_TIME_PREKEYS = 100;
/** Signal's apps rotate the signed prekey every 2 days... */
export const DEFAULT_SIGNED_PREKEY_ROTATION_MS = 2 * 86_400_000;
/** ...and keep a replaced one for 30 days. */
export const DEFAULT_SIGNED_PREKEY_GRACE_MS = 30 * 86_400_000;
/** Top up below this many when the platform sends no notices (PREKEY_LOW_THRESHOLD=0). */
const FALLBACK_LOW_THRESHOLD = 10;
/** Key ids are 24 bits, as Signal's clients number them. */
const MAX_KEY_ID = 0xffffff;
/** A timer never longer than a day: timers beyond 2^31 ms fire at once, and a day bounds a missed rotation. */
const MAX_TIMER_MS = 86_400_000;

export interface OwnDevice {
  address: SignalAddress;
  identity: LocalIdentity;
}

export type UploadKind = 'full' | 'top-up' | 'rotation';

export interface DeviceKeysDeps {
  crypto: SignalCrypto;
  stores: E2eeStores;
  api: KeyApi;
  clock: Clock;
  random: () => number;
  /** Wall-clock epoch milliseconds: rotation dates outlive the process. */
  nowMs: () => number;
  uploaded(event: { kind: UploadKind; signalDeviceId: number; oneTimePreKeys: number; kyberOneTimePreKeys: number }): void;
  digestMismatch(signalDeviceId: number): void;
  log(fields: Record<string, unknown>, message: string): void;
}

export interface DeviceKeysOptions {
  userId: string;
  /** One-time prekeys of each kind to hold on the platform (1..100). */
  oneTimePreKeys: number;
  signedPreKeyRotationMs: number;
  signedPreKeyGraceMs: number;
  retryBackoff: BackoffOptions;
}

export interface DeviceKeys {
  /** This device's identity and Signal address once its keys are on the platform; rejects with ERR_SDK_E2EE if they cannot get there. */
  own(): Promise<OwnDevice>;
  /** Checks the platform's copy now (a connect, a KeysLow notice for this device). */
  check(): void;
  /** Resolves once no check is running (the one in progress, and any it queued, finished). */
  idle(): Promise<void>;
  /** Offline: retries wait for the next `check()`. */
  pause(): void;
  close(): void;
}

/** The bookkeeping kept in the store (`state/device-keys`). */
interface KeyState {
  signalDeviceId: number;
  registrationId: number;
  nextPreKeyId: number;
  /** Kyber one-time and last-resort keys share one id space. */
  nextKyberPreKeyId: number;
  nextSignedPreKeyId: number;
  signedPreKeyId: number;
  kyberLastResortId: number;
  rotatedAtMs: number;
}

const STATE_KEY = 'device-keys';
const nextId = (id: number): number => (id % MAX_KEY_ID) + 1;

export function createDeviceKeys(deps: DeviceKeysDeps, options: DeviceKeysOptions): DeviceKeys {
  const { crypto, stores, api } = deps;
  let own: OwnDevice | undefined;
  let settle: { resolve(device: OwnDevice): void; reject(error: SdkError): void } | undefined;
  let ownPromise = newOwnPromise();
  /** Why the keys could not reach the platform, until the next attempt. */
  let lastFailure: SdkError | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let active = true;
  let failures = 0;
  let timer: TimerHandle | undefined;

  function newOwnPromise(): Promise<OwnDevice> {
    const promise = new Promise<OwnDevice>((resolve, reject) => (settle = { resolve, reject }));
    promise.catch(() => undefined); // nobody may be waiting yet
    return promise;
  }

  function ready(device: OwnDevice): void {
    own = device;
    settle?.resolve(device);
    settle = undefined;
  }

  const readState = async () => (await stores.state.get(STATE_KEY)) as KeyState | undefined; // written by this module only
  const writeState = (state: KeyState) => stores.state.set(STATE_KEY, state);

  async function identity(): Promise<LocalIdentity> {
    const known = await stores.identity.local();
    if (known !== undefined) return known;
    const created = crypto.newIdentity();
    await stores.identity.setLocal(created);
    await stores.flush();
    return created;
  }

  async function oneTimeKeys(state: KeyState, me: LocalIdentity, ec: number, kyber: number) {
    const nowMs = deps.nowMs();
    const oneTimePreKeys = [];
    for (let i = 0; i < ec; i += 1) {
      const key = crypto.newPreKey(state.nextPreKeyId);
      state.nextPreKeyId = nextId(state.nextPreKeyId);
      await stores.preKeys.set(String(key.keyId), key);
      oneTimePreKeys.push(key);
    }
    const kyberOneTimePreKeys = [];
    for (let i = 0; i < kyber; i += 1) {
      const key = crypto.newKyberPreKey(me, state.nextKyberPreKeyId, nowMs);
      state.nextKyberPreKeyId = nextId(state.nextKyberPreKeyId);
      await stores.kyberPreKeys.set(String(key.keyId), { ...key, createdAtMs: nowMs, lastResort: false });
      kyberOneTimePreKeys.push(key);
    }
    return { oneTimePreKeys, kyberOneTimePreKeys };
  }

  /** A new signed prekey and Kyber last-resort prekey, stored; the state's counters advance. */
  async function signedKeys(state: KeyState, me: LocalIdentity) {
    const nowMs = deps.nowMs();
    const signedPreKey = crypto.newSignedPreKey(me, state.nextSignedPreKeyId, nowMs);
    state.nextSignedPreKeyId = nextId(state.nextSignedPreKeyId);
    const kyberLastResortPreKey = crypto.newKyberPreKey(me, state.nextKyberPreKeyId, nowMs);
    state.nextKyberPreKeyId = nextId(state.nextKyberPreKeyId);
    await stores.signedPreKeys.set(String(signedPreKey.keyId), { ...signedPreKey, createdAtMs: nowMs });
    await stores.kyberPreKeys.set(String(kyberLastResortPreKey.keyId), { ...kyberLastResortPreKey, createdAtMs: nowMs, lastResort: true });
    return { signedPreKey, kyberLastResortPreKey };
  }

  /** Everything, new (first use, or the platform lost or holds other keys): PUT .../keys. */
  async function uploadAll(me: LocalIdentity, previous: KeyState | undefined): Promise<KeyState> {
    const state: KeyState = previous ?? {
      signalDeviceId: 0,
      registrationId: me.registrationId,
      nextPreKeyId: 1,
      nextKyberPreKeyId: 1,
      nextSignedPreKeyId: 1,
      signedPreKeyId: 0,
      kyberLastResortId: 0,
      rotatedAtMs: 0,
    };
    const signed = await signedKeys(state, me);
    const oneTime = await oneTimeKeys(state, me, options.oneTimePreKeys, options.oneTimePreKeys);
    await stores.flush(); // the private halves exist before anyone can be handed the public ones
    const { signalDeviceId } = await api.uploadKeys({
      registrationId: me.registrationId,
      identityKey: me.publicKey,
      ...signed,
      ...oneTime,
    });
    const uploaded: KeyState = {
      ...state,
      signalDeviceId,
      signedPreKeyId: signed.signedPreKey.keyId,
      kyberLastResortId: signed.kyberLastResortPreKey.keyId,
      rotatedAtMs: deps.nowMs(),
    };
    await writeState(uploaded);
    await stores.flush();
    deps.uploaded({ kind: 'full', signalDeviceId, oneTimePreKeys: options.oneTimePreKeys, kyberOneTimePreKeys: options.oneTimePreKeys });
    return uploaded;
  }

  async function topUp(state: KeyState, me: LocalIdentity, counts: KeyCounts): Promise<boolean> {
    const low = counts.lowThreshold > 0 ? counts.lowThreshold : FALLBACK_LOW_THRESHOLD;
    const isLow = counts.ec < Math.min(low, options.oneTimePreKeys) || counts.kyber < Math.min(low, options.oneTimePreKeys);
    if (!isLow) return false;
    const ec = Math.max(0, options.oneTimePreKeys - counts.ec);
    const kyber = Math.max(0, options.oneTimePreKeys - counts.kyber);
    const keys = await oneTimeKeys(state, me, ec, kyber);
    await writeState(state); // the ids are spent even if the upload fails
    await stores.flush();
    await api.addOneTimeKeys(keys);
    deps.uploaded({ kind: 'top-up', signalDeviceId: state.signalDeviceId, oneTimePreKeys: ec, kyberOneTimePreKeys: kyber });
    return true;
  }

  async function rotateIfDue(state: KeyState, me: LocalIdentity): Promise<boolean> {
    if (deps.nowMs() - state.rotatedAtMs < options.signedPreKeyRotationMs) return false;
    const signed = await signedKeys(state, me);
    await writeState(state);
    await stores.flush();
    await api.rotateSignedKeys(signed);
    const nowMs = deps.nowMs();
    await markReplaced(stores.signedPreKeys, state.signedPreKeyId, nowMs);
    await markReplaced(stores.kyberPreKeys, state.kyberLastResortId, nowMs);
    await writeState({
      ...state,
      signedPreKeyId: signed.signedPreKey.keyId,
      kyberLastResortId: signed.kyberLastResortPreKey.keyId,
      rotatedAtMs: nowMs,
    });
    await stores.flush();
    deps.uploaded({ kind: 'rotation', signalDeviceId: state.signalDeviceId, oneTimePreKeys: 0, kyberOneTimePreKeys: 0 });
    return true;
  }

  /** Deletes replaced signed and last-resort keys older than the grace period, and keys of failed rotations. */
  async function prune(state: KeyState): Promise<void> {
    const cutoffMs = deps.nowMs() - options.signedPreKeyGraceMs;
    const isExpired = (key: StoredSignedPreKey, current: number) =>
      key.keyId !== current && (key.replacedAtMs ?? key.createdAtMs) < cutoffMs;
    for (const id of await stores.signedPreKeys.keys()) {
      const key = await stores.signedPreKeys.get(id);
      if (key !== undefined && isExpired(key, state.signedPreKeyId)) await stores.signedPreKeys.delete(id);
    }
    for (const id of await stores.kyberPreKeys.keys()) {
      const key = await stores.kyberPreKeys.get(id);
      if (key?.lastResort === true && isExpired(key, state.kyberLastResortId)) await stores.kyberPreKeys.delete(id);
    }
  }

  /** True when the platform holds exactly what this device uploaded (for the one-time keys it still lists). */
  async function digestMatches(state: KeyState, me: LocalIdentity): Promise<boolean> {
    const answer = await api.digest();
    const get = async <T>(store: { get(key: string): Promise<T | undefined> }, id: number) => store.get(String(id));
    const signed = await get(stores.signedPreKeys, state.signedPreKeyId);
    const lastResort = await get(stores.kyberPreKeys, state.kyberLastResortId);
    const ec = await Promise.all(answer.oneTimePreKeyIds.map((id) => get(stores.preKeys, id)));
    const kyber = await Promise.all(answer.kyberOneTimePreKeyIds.map((id) => get(stores.kyberPreKeys, id)));
    if (signed === undefined || lastResort === undefined || ec.includes(undefined) || kyber.includes(undefined)) return false;
    const input: KeyDigestInput = {
      signalDeviceId: answer.signalDeviceId,
      registrationId: me.registrationId,
      identityKey: me.publicKey,
      signedPreKey: signed,
      kyberLastResortPreKey: lastResort,
      oneTimePreKeys: ec as NonNullable<(typeof ec)[number]>[],
      kyberOneTimePreKeys: kyber as StoredKyberPreKey[],
    };
    return sameBytes(await crypto.sha256(encodeKeyDigestInput(input)), answer.digest);
  }

  async function verify(state: KeyState, me: LocalIdentity): Promise<KeyState> {
    // A PreKey message may consume a listed key between the answer and the comparison: ask twice before calling it a mismatch.
    if ((await digestMatches(state, me)) || (await digestMatches(state, me))) return state;
    deps.digestMismatch(state.signalDeviceId);
    deps.log({ signalDeviceId: state.signalDeviceId }, 'the platform holds keys this device did not upload: replacing them all');
    const replaced = await uploadAll(me, state);
    if (!(await digestMatches(replaced, me))) deps.digestMismatch(replaced.signalDeviceId);
    return replaced;
  }

  async function checkOnce(): Promise<void> {
    const me = await identity();
    let state = await readState();
    if (state !== undefined) ready({ address: { userId: options.userId, deviceId: state.signalDeviceId }, identity: me });
    const counts = state === undefined ? undefined : await api.countKeys();
    let uploaded = false;
    if (state === undefined || counts === undefined) {
      state = await uploadAll(me, state);
      uploaded = true;
    } else {
      uploaded = await topUp(state, me, counts);
    }
    uploaded = (await rotateIfDue(state, me)) || uploaded;
    state = (await readState()) ?? state;
    if (uploaded) state = await verify(state, me);
    await prune(state);
    await stores.flush();
    ready({ address: { userId: options.userId, deviceId: state.signalDeviceId }, identity: me });
    const dueInMs = state.rotatedAtMs + options.signedPreKeyRotationMs - deps.nowMs();
    schedule(Math.min(Math.max(dueInMs, 0), MAX_TIMER_MS));
  }

  function schedule(delayMs: number): void {
    if (timer !== undefined) deps.clock.clearTimeout(timer);
    timer = active ? deps.clock.setTimeout(() => ((timer = undefined), run()), delayMs) : undefined;
  }

  function run(): void {
    if (running !== undefined) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await checkOnce();
          failures = 0;
        } catch (error) {
          failed(error);
        }
      } while (again && active);
      running = undefined;
    })();
  }

  function failed(error: unknown): void {
    deps.log({ err: String(error) }, 'device keys not synced with the platform');
    if (isTransient(error)) {
      schedule(backoffDelayMs(failures, options.retryBackoff, deps.random));
      failures += 1;
      return;
    }
    if (own !== undefined) return; // the keys are there; what failed (a top-up, a rotation) is tried again at the next connect
    lastFailure = new SdkError('ERR_SDK_E2EE', `this device's keys could not be uploaded: ${String(error)}`, { cause: error });
    settle?.reject(lastFailure);
    ownPromise = newOwnPromise(); // the next connect tries again
  }

  return {
    own() {
      if (own !== undefined) return Promise.resolve(own);
      return lastFailure !== undefined ? Promise.reject(lastFailure) : ownPromise;
    },
    idle: async () => {
      while (running !== undefined) await running;
    },
    check() {
      active = true;
      lastFailure = undefined;
      run();
    },
    pause() {
      active = false;
      if (timer !== undefined) deps.clock.clearTimeout(timer);
      timer = undefined;
    },
    close() {
      active = false;
      if (timer !== undefined) deps.clock.clearTimeout(timer);
      timer = undefined;
    },
  };
}

async function markReplaced<T extends StoredSignedPreKey>(
  store: { get(key: string): Promise<T | undefined>; set(key: string, value: T): Promise<void> },
  keyId: number,
  nowMs: number,
): Promise<void> {
  const key = await store.get(String(keyId));
  if (key !== undefined && key.replacedAtMs === undefined) await store.set(String(keyId), { ...key, replacedAtMs: nowMs });
}
