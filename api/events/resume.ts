/**
 * Where an event stream resumes each room: `rooms=roomA:12,roomB:0` in the query names the rooms
 * to follow and the last seq the client has of each; the `Last-Event-ID` header (what an
 * EventSource sends when it reconnects on its own) is the id of the last event it got, and a
 * Message event's id is `{roomId}:{seq}`, so it moves that room's position forward.
 */
import { isValidId } from '../../schema/index.js';

/** A stream follows at most this many rooms from its query (more: one stream per group of rooms, or subscribe later). */
export const MAX_RESUME_ROOMS = 500;

export type ResumeParse = { ok: true; positions: Map<string, number> } | { ok: false; problem: string };

export const messageEventId = (roomId: string, seq: number): string => `${roomId}:${seq}`;

export function parseResume(rooms: string | undefined, lastEventId: string | undefined): ResumeParse {
  const positions = new Map<string, number>();
  const entries = rooms === undefined || rooms === '' ? [] : rooms.split(',');
  if (entries.length > MAX_RESUME_ROOMS) return { ok: false, problem: `rooms lists more than ${MAX_RESUME_ROOMS} rooms` };
  for (const entry of entries) {
    const position = parsePosition(entry);
    if (position === undefined) return { ok: false, problem: `rooms entry "${entry}" is not roomId:seq` };
    positions.set(position.roomId, Math.max(positions.get(position.roomId) ?? 0, position.seq));
  }
  // Only rooms the query names: the header moves a position, it never adds a room.
  const last = lastEventId === undefined ? undefined : parsePosition(lastEventId);
  if (last !== undefined && positions.has(last.roomId)) positions.set(last.roomId, Math.max(positions.get(last.roomId)!, last.seq));
  return { ok: true, positions };
}

function parsePosition(text: string): { roomId: string; seq: number } | undefined {
  const colon = text.lastIndexOf(':');
  const roomId = colon < 0 ? text : text.slice(0, colon);
  const seqText = colon < 0 ? '0' : text.slice(colon + 1);
  if (!isValidId(roomId) || !/^\d{1,15}$/.test(seqText)) return undefined;
  return { roomId, seq: Number(seqText) };
}
