/**
 * This device's sender key in each encrypted room (docs/e2ee.md#group-messages-sender-keys): which
 * distribution it is (a UUID naming one sender-key chain), the room's member version it was made
 * for, and the devices that were given it. `planDistribution` is the pure decision of each send:
 *
 * - a new chain (rotation) when there is none yet, when the room's membership changed (its member
 *   version moved: a removed member holds the old chain, and must not read what comes next), or
 *   when a device that holds the chain is gone or has another identity key (removed, reinstalled);
 * - otherwise the same chain, handed to the devices that appeared since (a new device of a member),
 *   who can read from now on but not before (a chain only ratchets forward).
 */
import type { RecordStore } from './stores.js';

export interface RoomSenderKey {
  distributionId: string;
  memberVersion: number;
  /** `recipientKey`s of the devices given this chain. */
  recipients: string[];
  /**
   * Devices given the chain by sends none of which is acked yet, each with the distribution it was
   * handed (base64; the chain at the iteration of the first send that carried it). The transport
   * does not keep a room's sends in order (an SSE send whose POST got no answer is resent after a
   * timeout, after the sends behind it went through), so a later message may be stored before the
   * one that handed out its chain. Every send therefore hands these devices the same distribution
   * again until one of them is acked: whichever the platform stores first unlocks the others. The
   * same one each time, because libsignal keeps the state it already holds for a chain, so a later
   * distribution processed first would leave the messages before it unreadable.
   */
  unconfirmed?: Record<string, string>;
  createdAtMs: number;
}

export interface DistributionPlan {
  rotate: boolean;
  /** The devices (`recipientKey`s) to hand the chain to with this send. */
  handTo: string[];
}

/** A device as the chain's bookkeeping names it: its address and identity key, so a reinstall counts as another device. */
export const recipientKey = (userId: string, signalDeviceId: number, identityKeyBase64: string): string =>
  `${userId}.${signalDeviceId}.${identityKeyBase64}`;

export function planDistribution(current: RoomSenderKey | undefined, devices: readonly string[], memberVersion: number): DistributionPlan {
  const present = new Set(devices);
  const isStale =
    current === undefined || current.memberVersion !== memberVersion || current.recipients.some((device) => !present.has(device));
  if (isStale) return { rotate: true, handTo: [...present] };
  const given = new Set(current.recipients);
  return { rotate: false, handTo: [...present].filter((device) => !given.has(device)) };
}

export interface RoomKeyBook {
  get(roomId: string): Promise<RoomSenderKey | undefined>;
  set(roomId: string, key: RoomSenderKey): Promise<void>;
  /** A send that carried the chain to `recipients` was acked: they hold it, whatever order the platform stored the sends in. */
  confirm(roomId: string, distributionId: string, recipients: readonly string[]): Promise<void>;
}

export function createRoomKeyBook(state: RecordStore<unknown>): RoomKeyBook {
  const key = (roomId: string) => `room-sender-key/${roomId}`;
  // Written by `set` only.
  const get = async (roomId: string) => (await state.get(key(roomId))) as RoomSenderKey | undefined;
  return {
    get,
    set: (roomId, value) => state.set(key(roomId), value),
    async confirm(roomId, distributionId, recipients) {
      const current = await get(roomId);
      if (current?.distributionId !== distributionId || current.unconfirmed === undefined) return; // rotated since
      const unconfirmed = { ...current.unconfirmed };
      for (const recipient of recipients) delete unconfirmed[recipient];
      await state.set(key(roomId), { ...current, unconfirmed });
    },
  };
}
