/**
 * The devices of the users this device writes to, and the sessions with them
 * (docs/e2ee.md#sessions-and-device-lists). Device lists come from GET /v1/users/{id}/devices
 * (which consumes nothing) and are cached until the platform announces a change (DEVICE_ADDED,
 * DEVICE_REMOVED, IDENTITY_CHANGED) or the connection was down (an announcement may have been
 * missed). A device without a session, or whose identity key is not the one the session was opened
 * with (a reinstall), gets a prekey bundle claimed for it (POST .../keys/claim for those devices
 * only: a claim consumes a one-time key of each device it names), from which a session is opened.
 * A user this device holds no session with at all is not listed but claimed at once: the claim
 * answers every device of the user with its bundle, one call instead of two (this is what every
 * device does on its first message to a room).
 */
import { sameBytes, toBase64 } from './bytes.js';
import type { SignalAddress, SignalCrypto } from './crypto.js';
import type { ClaimedBundle, KeyApi, PeerDevice } from './key-api.js';
import { recipientKey } from './room-keys.js';
import type { SerialQueue } from './serial-queue.js';
import type { E2eeStores } from './stores.js';

export interface Recipient extends PeerDevice {
  address: SignalAddress;
  /** Its `recipientKey` (address and identity key). */
  key: string;
}

export interface PeerDirectoryDeps {
  crypto: SignalCrypto;
  stores: E2eeStores;
  api: Pick<KeyApi, 'devices' | 'claim'>;
  queue: SerialQueue;
  log(fields: Record<string, unknown>, message: string): void;
}

export interface PeerDirectory {
  /** Every device with keys of each user, this device left out; from the cache when it is current. */
  devicesOf(userIds: readonly string[], self: SignalAddress & { platformDeviceId: string }): Promise<Recipient[]>;
  /** Opens sessions with those of `recipients` that have none (claiming their bundles); returns the ones with a session. */
  withSessions(recipients: readonly Recipient[], local: SignalAddress): Promise<Recipient[]>;
  forget(userId: string): void;
  forgetAll(): void;
}

export function createPeerDirectory(deps: PeerDirectoryDeps): PeerDirectory {
  const lists = new Map<string, Promise<Recipient[]>>();
  /** Bundles claimed while listing a user never talked to, waiting for `withSessions`; by `userId/deviceId`. */
  const claimed = new Map<string, ClaimedBundle>();

  async function claimAll(userId: string): Promise<Recipient[]> {
    const bundles = await deps.api.claim(userId, undefined);
    for (const bundle of bundles) claimed.set(`${userId}/${bundle.platformDeviceId}`, bundle);
    return bundles.map((b) =>
      recipient({
        userId,
        deviceId: b.platformDeviceId,
        signalDeviceId: b.deviceId,
        registrationId: b.registrationId,
        identityKey: b.identityKey,
      }),
    );
  }

  function listOf(userId: string, isStranger: boolean): Promise<Recipient[]> {
    const cached = lists.get(userId);
    if (cached !== undefined) return cached;
    const fetching = isStranger ? claimAll(userId) : deps.api.devices(userId).then((devices) => devices.map(recipient));
    lists.set(userId, fetching);
    // A failed fetch is not cached: the next send asks again.
    fetching.catch(() => lists.get(userId) === fetching && lists.delete(userId));
    return fetching;
  }

  /** True when a session exists and was opened with the identity key the platform lists now. */
  async function isCurrent(device: Recipient): Promise<boolean> {
    const known = await deps.stores.identity.remote(device.address);
    const isSameIdentity = known !== undefined && sameBytes(known, device.identityKey);
    return isSameIdentity && (await deps.crypto.hasSession(deps.stores, device.address));
  }

  async function claimFor(stale: readonly Recipient[]): Promise<ClaimedBundle[]> {
    const ready: ClaimedBundle[] = [];
    const byUser = new Map<string, string[]>();
    for (const device of stale) {
      const key = `${device.userId}/${device.deviceId}`;
      const bundle = claimed.get(key);
      claimed.delete(key);
      if (bundle !== undefined && sameBytes(bundle.identityKey, device.identityKey)) ready.push(bundle);
      else byUser.set(device.userId, [...(byUser.get(device.userId) ?? []), device.deviceId]);
    }
    const answers = await Promise.all([...byUser].map(([userId, deviceIds]) => deps.api.claim(userId, deviceIds)));
    return [...ready, ...answers.flat()];
  }

  /** The users of `userIds` this device holds no session with, on any of their devices. */
  async function strangers(userIds: readonly string[]): Promise<Set<string>> {
    const known = new Set((await deps.stores.sessions.keys()).map((address) => address.slice(0, address.lastIndexOf('.'))));
    return new Set(userIds.filter((userId) => !known.has(userId)));
  }

  return {
    async devicesOf(userIds, self) {
      const unknown = await strangers(userIds.filter((userId) => !lists.has(userId)));
      const listed = await Promise.all(userIds.map((userId) => listOf(userId, unknown.has(userId))));
      const isSelf = (d: Recipient) => d.userId === self.userId && d.deviceId === self.platformDeviceId;
      return listed.flat().filter((device) => !isSelf(device));
    },
    async withSessions(recipients, local) {
      const current = await Promise.all(recipients.map(isCurrent));
      const stale = recipients.filter((_, i) => !current[i]);
      if (stale.length === 0) return [...recipients];
      const bundles = await claimFor(stale);
      const opened = new Set<string>();
      await deps.queue.run(async () => {
        for (const bundle of bundles) {
          const address = { userId: bundle.userId, deviceId: bundle.deviceId };
          try {
            await deps.crypto.startSession(deps.stores, local, address, bundle);
            opened.add(`${bundle.userId}/${bundle.platformDeviceId}`);
          } catch (error) {
            // A bundle libsignal refuses (a bad signature: the platform checks, but it is not trusted) opens nothing.
            deps.log({ userId: bundle.userId, deviceId: bundle.platformDeviceId, err: String(error) }, 'prekey bundle refused');
          }
        }
        await deps.stores.flush();
      });
      return recipients.filter((device, i) => current[i] === true || opened.has(`${device.userId}/${device.deviceId}`));
    },
    forget(userId) {
      lists.delete(userId);
      for (const key of [...claimed.keys()]) if (key.startsWith(`${userId}/`)) claimed.delete(key);
    },
    forgetAll() {
      lists.clear();
      claimed.clear();
    },
  };
}

function recipient(device: PeerDevice): Recipient {
  return {
    ...device,
    address: { userId: device.userId, deviceId: device.signalDeviceId },
    key: recipientKey(device.userId, device.signalDeviceId, toBase64(device.identityKey)),
  };
}
