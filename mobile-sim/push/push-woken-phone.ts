/**
 * A phone whose app the OS suspends, woken by pushes (docs/push.md#on-the-phone): the wake-up flow
 * the platform's push fallback exists for.
 *
 * Asleep, the app has no connection, only what it stored (the last seq per room). A push hands
 * the notification center a notice; for news the app does not have yet, the center shows a
 * placeholder and wakes the app, which starts a fresh SDK client from the stored state. The
 * client reconnects and catches up over REST, and the center replaces the placeholder with the
 * fetched messages. `openApp()` is the user tapping the icon (foreground: messages are seen in
 * the app, not notified); `sleep()` is the OS suspending it again.
 */
import type { Message } from '@mqtt-chat/protocol';
import {
  type ChatClient,
  type ChatClientOptions,
  type Clock,
  createChatClient,
  createNotificationCenter,
  type NotificationCenter,
  type NotificationChange,
  parsePushNotice,
  type PushHandling,
} from '@mqtt-chat/sdk';

export interface PushWokenPhoneDeps {
  clock: Clock;
  random: () => number;
  /** Every change on the lock screen, as it happens. */
  notificationChanged?(change: NotificationChange): void;
  /** Every message the SDK handed the app (after the app stored it). */
  messageDelivered?(message: Message): void;
}

export interface PushWokenPhone {
  readonly notifications: NotificationCenter;
  /** The user opens the app: it connects and what arrives is seen in it. */
  openApp(): void;
  /** The OS suspends the app: the connection closes, the stored last seqs stay. */
  sleep(): void;
  /** A push reached the phone (its push channel calls this). Undefined: not a push of ours, dropped. */
  pushReceived(data: Record<string, unknown>): PushHandling | undefined;
  /** The running SDK client, while the app is awake. */
  client(): ChatClient | undefined;
  /** The app's storage: the last seq it holds per room. */
  storedLastSeq(roomId: string): number;
}

export function createPushWokenPhone(deps: PushWokenPhoneDeps, clientOptions: ChatClientOptions): PushWokenPhone {
  const stored = new Map<string, number>();
  let client: ChatClient | undefined;

  const notifications = createNotificationCenter({
    selfUserId: clientOptions.userId,
    lastSeq: (roomId) => stored.get(roomId) ?? 0,
    wake: () => void awake(),
    changed: (change) => deps.notificationChanged?.(change),
  });

  function awake(): ChatClient {
    if (client !== undefined) return client;
    const started = createChatClient({ clock: deps.clock, random: deps.random }, clientOptions);
    for (const [roomId, lastSeq] of stored) started.followRoom(roomId, { lastSeq });
    started.on('message', (message) => {
      stored.set(message.roomId, message.seq);
      deps.messageDelivered?.(message);
      notifications.messageDelivered(message);
    });
    started.on('epochChanged', ({ roomId }) => stored.delete(roomId));
    void started.connect(); // the phone reconnects on its own; a refusal shows in its status
    client = started;
    return started;
  }

  return {
    notifications,
    openApp() {
      notifications.setForeground(true);
      awake();
    },
    sleep() {
      notifications.setForeground(false);
      client?.close();
      client = undefined;
    },
    pushReceived(data) {
      const notice = parsePushNotice(data);
      return notice === undefined ? undefined : notifications.pushReceived(notice);
    },
    client: () => client,
    storedLastSeq: (roomId) => stored.get(roomId) ?? 0,
  };
}
