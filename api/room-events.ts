import { encodeInboxItem, encodeRoomEvent, inboxTopic, roomEventTopic, type RoomEvent } from '../schema/index.js';
import type { Publisher } from '../lib/publisher.js';

/**
 * Announces a committed room change: to the room's members on its event topic (the broker's
 * membership cache listens there too) and to the inboxes of `users` (the member added or
 * removed, who may not be subscribed to the room yet or any more).
 */
export async function announceRoomEvent(publisher: Publisher, event: RoomEvent, users: readonly string[] = []): Promise<void> {
  await Promise.all([
    publisher.publish(roomEventTopic(event.roomId), encodeRoomEvent(event), { qos: 1 }),
    ...users.map((userId) => publisher.publish(inboxTopic(userId), encodeInboxItem({ event }), { qos: 1 })),
  ]);
}
