/**
 * What every broker node learns from the platform's own publications, whichever node or process
 * made them: RoomEvents keep the membership cache and the presence guard current, and room
 * Messages keep each cached room's last seq (the receipt relay clamps to it).
 */
import type { Aedes, AedesPublishPacket } from 'aedes';
import type { Logger } from '../lib/log.js';
import { ALL_ROOM_EVENT_TOPICS, ALL_ROOM_MESSAGE_TOPICS, RoomEventKind, decodeRoomEvent, parseTopic } from '../schema/index.js';
import type { MembershipCache } from './membership-cache.js';
import { messageSeq } from './message-seq.js';
import type { PresenceGuard } from './presence-guard.js';

export interface RoomFeedDeps {
  membership: MembershipCache;
  presenceGuard: PresenceGuard;
  log: Logger;
}

export async function followRooms(aedes: Aedes, deps: RoomFeedDeps): Promise<void> {
  const { membership, presenceGuard, log } = deps;
  const gained = (roomId: string, userIds: readonly string[]): void => {
    presenceGuard
      .roomGained(roomId, userIds)
      .catch((error: unknown) => log.warn({ roomId, err: (error as Error).message }, 'presence guard update failed'));
  };

  function roomEvent(packet: AedesPublishPacket): void {
    try {
      const event = decodeRoomEvent(packet.payload as Buffer);
      const isAdded = event.kind === RoomEventKind.ROOM_EVENT_KIND_MEMBER_ADDED;
      const isRemoved = event.kind === RoomEventKind.ROOM_EVENT_KIND_MEMBER_REMOVED;
      if (isAdded || isRemoved) {
        membership.apply({
          roomId: event.roomId,
          memberVersion: event.memberVersion,
          userId: event.userId,
          change: isAdded ? 'added' : 'removed',
        });
      }
      if (isAdded) gained(event.roomId, [event.userId]);
      if (event.kind === RoomEventKind.ROOM_EVENT_KIND_CREATED) {
        membership.members(event.roomId).then(
          (members) => gained(event.roomId, [...members]),
          (error: unknown) => log.warn({ roomId: event.roomId, err: (error as Error).message }, 'room members not loaded'),
        );
      }
    } catch (error) {
      log.warn({ topic: packet.topic, err: (error as Error).message }, 'undecodable room event');
    }
  }

  function roomMessage(packet: AedesPublishPacket): void {
    const topic = parseTopic(packet.topic);
    const seq = messageSeq(packet.payload);
    if (topic?.kind === 'room' && seq !== undefined) membership.observeSeq(topic.roomId, seq);
  }

  const follow = (filter: string, handle: (packet: AedesPublishPacket) => void): Promise<void> =>
    new Promise((resolve) =>
      aedes.subscribe(
        filter,
        (packet, done) => {
          handle(packet);
          done();
        },
        resolve,
      ),
    );
  await follow(ALL_ROOM_EVENT_TOPICS, roomEvent);
  await follow(ALL_ROOM_MESSAGE_TOPICS, roomMessage);
}
