import { getRoom, type Queryable, type RoomWithMembers } from '../store/index.js';
import type { Caller } from './caller.js';
import { apiError } from './errors.js';

/** The room, if it exists and the caller may see it (a member, or the admin). */
export async function roomForCaller(db: Queryable, roomId: string, caller: Caller): Promise<RoomWithMembers> {
  const room = await getRoom(db, roomId);
  if (room === undefined) throw apiError('ERR_ROOM_NOT_FOUND', undefined, { roomId });
  const isAllowed = caller.kind === 'admin' || room.memberIds.includes(caller.userId);
  if (!isAllowed) throw apiError('ERR_ROOM_NOT_MEMBER', undefined, { roomId });
  return room;
}
