/**
 * The app's side of a push (docs/push.md#on-the-phone): what a phone shows when a push wakes it,
 * and when.
 *
 * A push says "room R has news up to seq S"; it is not the news. The app shows a message's text
 * only once the SDK has delivered that message (fetched over MQTT or REST), never the push's
 * preview, so it can never show a ghost: text of a message it does not have, was edited away, or
 * is out of order. A push for a seq the app has not got yet (the usual case: the push beats the
 * reconnect) shows a generic "New message" placeholder at once and wakes the connection; as the
 * fetched messages arrive they replace it, exactly up to the pushed seq, no further (later ones
 * get their own push, or the user sees them in the app).
 *
 * A push is dropped when its dedup key was seen (a provider retry), or when its seq is already
 * handled: notified, read, or seen in the app while it was in the foreground (the platform's push
 * raced the live delivery). A retraction (read on another device) withdraws the room's
 * notifications up to the read seq and takes the corrected badge.
 *
 * Pure and synchronous: the SDK feeds it pushes and delivered messages, it reports changes.
 */
import type { Message } from '@mqtt-chat/protocol';
import type { PushNotice } from './push-notice.js';

/** A room's notification shows its latest messages, as a conversation-style notification does. */
export const MAX_SHOWN_PER_ROOM = 20;
/** Dedup keys remembered; a provider retries within minutes, not thousands of pushes later. */
export const MAX_REMEMBERED_PUSHES = 1_000;
export const PLACEHOLDER_TEXT = 'New message';

export type ShownNotification =
  | { kind: 'placeholder'; roomId: string; text: typeof PLACEHOLDER_TEXT }
  | { kind: 'message'; roomId: string; seq: number; senderId: string; text: string };

export type NotificationChange =
  | { kind: 'shown'; notification: ShownNotification }
  /** The room's notifications up to `upToSeq` are gone; `placeholder` when the placeholder went too. */
  | { kind: 'withdrawn'; roomId: string; upToSeq: number; placeholder: boolean }
  | { kind: 'badge'; count: number };

/** What became of a push, for the app's logs and the simulator's counters. */
export type PushHandling = 'placeholder' | 'shown' | 'stale' | 'duplicate' | 'retracted';

export interface NotificationCenterDeps {
  selfUserId: string;
  /** The last seq the SDK delivered to the app in the room. */
  lastSeq(roomId: string): number;
  /** Connect (or stay connected) so that what a push announced gets fetched. */
  wake(): void;
  changed(change: NotificationChange): void;
}

export interface NotificationCenter {
  pushReceived(notice: PushNotice): PushHandling;
  /** Every message the SDK delivers to the app. */
  messageDelivered(message: Message): void;
  /** While the app is in the foreground the user sees messages in it: they are never notified. */
  setForeground(foreground: boolean): void;
  /** The user read the room up to `seq` (here or, through a retraction, elsewhere). */
  roomRead(roomId: string, seq: number): void;
  /** What is on the lock screen now, oldest first per room. */
  visible(): ShownNotification[];
  badge(): number | undefined;
}

const placeholderOf = (roomId: string): ShownNotification => ({ kind: 'placeholder', roomId, text: PLACEHOLDER_TEXT });

interface RoomNotifications {
  /** Messages up to here are dealt with (notified, read or seen): a push for them is stale. */
  handledUpTo: number;
  /** The highest seq a push announced. */
  announcedUpTo: number;
  /** Delivered, not yet handled: what a push may show without fetching. */
  unhandled: Message[];
  shown: Extract<ShownNotification, { kind: 'message' }>[];
  placeholder: boolean;
}

export function createNotificationCenter(deps: NotificationCenterDeps): NotificationCenter {
  const rooms = new Map<string, RoomNotifications>();
  const seenPushes = new Set<string>();
  let foreground = false;
  let badge: number | undefined;

  const roomOf = (roomId: string): RoomNotifications => {
    let room = rooms.get(roomId);
    if (room === undefined) {
      room = { handledUpTo: 0, announcedUpTo: 0, unhandled: [], shown: [], placeholder: false };
      rooms.set(roomId, room);
    }
    return room;
  };

  /** Shows what was delivered up to what was announced, and drops the placeholder once that is all there. */
  function showDelivered(roomId: string, room: RoomNotifications): void {
    const upTo = Math.min(room.announcedUpTo, deps.lastSeq(roomId));
    if (upTo <= room.handledUpTo) return;
    for (const message of room.unhandled.filter((m) => m.seq <= upTo)) {
      const notification = {
        kind: 'message' as const,
        roomId,
        seq: message.seq,
        senderId: message.senderId,
        text: new TextDecoder().decode(message.body),
      };
      room.shown.push(notification);
      deps.changed({ kind: 'shown', notification });
    }
    room.shown = room.shown.slice(-MAX_SHOWN_PER_ROOM);
    room.unhandled = room.unhandled.filter((m) => m.seq > upTo);
    room.handledUpTo = upTo;
    if (room.placeholder && upTo >= room.announcedUpTo) {
      room.placeholder = false;
      deps.changed({ kind: 'withdrawn', roomId, upToSeq: upTo, placeholder: true });
    }
  }

  function setBadge(count: number | undefined): void {
    if (count === undefined || count === badge) return;
    badge = count;
    deps.changed({ kind: 'badge', count });
  }

  function rememberPush(dedupKey: string): boolean {
    if (seenPushes.has(dedupKey)) return false;
    seenPushes.add(dedupKey);
    if (seenPushes.size > MAX_REMEMBERED_PUSHES) seenPushes.delete(seenPushes.values().next().value!);
    return true;
  }

  function roomRead(roomId: string, seq: number): void {
    const room = roomOf(roomId);
    room.handledUpTo = Math.max(room.handledUpTo, seq);
    room.unhandled = room.unhandled.filter((m) => m.seq > seq);
    const withdrawsPlaceholder = room.placeholder && room.announcedUpTo <= seq;
    const withdrawsShown = room.shown.some((n) => n.seq <= seq);
    room.shown = room.shown.filter((n) => n.seq > seq);
    if (withdrawsPlaceholder) room.placeholder = false;
    if (withdrawsShown || withdrawsPlaceholder)
      deps.changed({ kind: 'withdrawn', roomId, upToSeq: seq, placeholder: withdrawsPlaceholder });
  }

  return {
    pushReceived(notice) {
      if (!rememberPush(notice.dedupKey)) return 'duplicate';
      if (notice.kind === 'retract') {
        roomRead(notice.roomId, notice.readSeq);
        setBadge(notice.badge);
        return 'retracted';
      }
      const room = roomOf(notice.roomId);
      if (notice.seq <= room.handledUpTo) return 'stale';
      setBadge(notice.badge);
      room.announcedUpTo = Math.max(room.announcedUpTo, notice.seq);
      if (deps.lastSeq(notice.roomId) >= notice.seq) {
        showDelivered(notice.roomId, room);
        return 'shown';
      }
      if (!room.placeholder) {
        room.placeholder = true;
        deps.changed({ kind: 'shown', notification: placeholderOf(notice.roomId) });
      }
      deps.wake();
      return 'placeholder';
    },
    messageDelivered(message) {
      const room = roomOf(message.roomId);
      if (message.seq <= room.handledUpTo) return;
      if (foreground) return roomRead(message.roomId, message.seq);
      // The platform never pushes a user's own messages; seen on another device, they are not news.
      if (message.senderId !== deps.selfUserId) {
        room.unhandled.push(message);
        if (room.unhandled.length > MAX_SHOWN_PER_ROOM) room.unhandled.shift();
      }
      showDelivered(message.roomId, room);
    },
    setForeground(isForeground) {
      foreground = isForeground;
    },
    roomRead,
    visible() {
      return [...rooms].flatMap(([roomId, room]): ShownNotification[] => [
        ...(room.placeholder ? [placeholderOf(roomId)] : []),
        ...room.shown,
      ]);
    },
    badge: () => badge,
  };
}
