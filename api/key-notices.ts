/**
 * What the platform tells devices about keys, after the change has committed: a device whose
 * one-time prekeys run low (its user's inbox), and a member's device that appeared, disappeared
 * or changed identity (the event topic of each encrypted room of that member). A failed publish
 * is logged and does not fail the call: the keys are stored, and an SDK recovers from a missed
 * notice (it checks its key count on start, and re-fetches a peer's keys when a session fails).
 * Nothing here logs key material.
 */
import type { Logger } from '../lib/log.js';
import { encodeInboxItem, inboxTopic, type KeysLow, type RoomEventKind } from '../schema/index.js';
import { encryptedRoomsOfUser, type ClaimedBundle, type Queryable } from '../store/index.js';
import type { Publisher } from '../lib/publisher.js';
import { announceRoomEvent } from './room-events.js';

/** IDENTITY_CHANGED, DEVICE_ADDED or DEVICE_REMOVED. */
export type DeviceKeyEvent = RoomEventKind;

/**
 * The notice a claim calls for, if any. Claims of one device are serialised and each takes one
 * key, so its count passes every value on the way down: the notice goes out exactly once when
 * the count drops below the threshold, and once more when the last key is taken.
 */
export function keysLowNotice(bundle: ClaimedBundle, threshold: number): KeysLow | undefined {
  if (threshold <= 0) return undefined;
  const crossed = (tookOne: boolean, remaining: number) => tookOne && (remaining === threshold - 1 || remaining === 0);
  const isLow =
    crossed(bundle.preKey !== undefined, bundle.remaining.ec) || crossed(!bundle.kyberPreKey.lastResort, bundle.remaining.kyber);
  return isLow ? { deviceId: bundle.deviceId, remaining: bundle.remaining.ec, remainingKyber: bundle.remaining.kyber } : undefined;
}

export interface KeyNoticeDeps {
  db: Queryable;
  publisher: Publisher;
  log: Logger;
}

export async function sendKeysLowNotices(deps: KeyNoticeDeps, userId: string, notices: readonly KeysLow[]): Promise<void> {
  for (const keysLow of notices) {
    await deps.publisher
      .publish(inboxTopic(userId), encodeInboxItem({ keysLow }), { qos: 1 })
      .catch((error: unknown) =>
        deps.log.warn({ userId, deviceId: keysLow.deviceId, err: (error as Error).message }, 'keys-low notice not published'),
      );
  }
}

/**
 * Announces a device's key change to the members of the user's encrypted rooms (its own other
 * devices among them). Plaintext rooms are left out: nobody there holds a session, and telling
 * them would only say that this user reinstalled.
 */
export async function announceDeviceKeyEvent(deps: KeyNoticeDeps, userId: string, deviceId: string, kind: DeviceKeyEvent): Promise<void> {
  try {
    const rooms = await encryptedRoomsOfUser(deps.db, userId);
    const atMs = Date.now();
    for (const room of rooms) {
      await announceRoomEvent(deps.publisher, {
        roomId: room.id,
        kind,
        memberVersion: room.memberVersion,
        userId,
        actorId: userId,
        metaVersion: room.metaVersion,
        atMs,
        deviceId,
      });
    }
  } catch (error) {
    deps.log.warn({ userId, deviceId, kind, err: (error as Error).message }, 'device key event not announced');
  }
}
