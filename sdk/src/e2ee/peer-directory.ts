/**
 * The devices of the users this device writes to, and the sessions with them
 * (docs/e2ee.md#sessions-and-device-lists). Device lists come from GET /v1/users/{id}/devices
 * (which consumes nothing) and are cached until the platform announces a change (DEVICE_ADDED,
 * DEVICE_REMOVED, IDENTITY_CHANGED) or the connection was down (an announcement may have been
 * missed). A device without a session, or whose identity key is not the one the session was opened
 * with (a reinstall), gets a prekey bundle claimed for it (POST .../keys/claim for those devices
 * only: a claim consumes a one-time key of each device it names), from which a session is opened.
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

  function listOf(userId: string): Promise<Recipient[]> {
    const cached = lists.get(userId);
    if (cached !== undefined) return cached;
    const fetching = deps.api.devices(userId).then((devices) => devices.map(recipient));
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
    const byUser = new Map<string, string[]>();
    for (const device of stale) byUser.set(device.userId, [...(byUser.get(device.userId) ?? []), device.deviceId]);
    const answers = await Promise.all([...byUser].map(([userId, deviceIds]) => deps.api.claim(userId, deviceIds)));
    return answers.flat();
  }

  return {
    async devicesOf(userIds, self) {
      const lists = await Promise.all(userIds.map(listOf));
      const isSelf = (d: Recipient) => d.userId === self.userId && d.deviceId === self.platformDeviceId;
      return lists.flat().filter((device) => !isSelf(device));
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
    forget: (userId) => void lists.delete(userId),
    forgetAll: () => lists.clear(),
  };
}

function recipient(device: PeerDevice): Recipient {
  return {
    ...device,
    address: { userId: device.userId, deviceId: device.signalDeviceId },
    key: recipientKey(device.userId, device.signalDeviceId, toBase64(device.identityKey)),
  };
}
