import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { RoomEventKind } from '../../schema/index.js';
import { createRoom, getReadSeq, listRoomsOfUser, readSeqsOfUser, updateRoomMetadata, type RoomWithMembers } from '../../store/index.js';
import { identifyCaller, requireUser } from '../caller.js';
import type { ApiDeps } from '../deps.js';
import { roomForCaller } from '../room-access.js';
import { announceRoomEvent } from '../room-events.js';
import { CreateRoomBody, Id, PatchRoomBody, RoomIdParams, RoomView, type RoomViewT } from '../schemas.js';

const roomView = (room: RoomWithMembers): RoomViewT => ({
  id: room.id,
  kind: room.kind,
  name: room.name,
  description: room.description,
  epoch: room.epoch,
  lastSeq: room.lastSeq,
  historyFloor: room.historyFloor,
  memberVersion: room.memberVersion,
  metaVersion: room.metaVersion,
  encrypted: room.encrypted,
  members: room.memberIds,
});

/** A room list as its user sees it: each room with the user's read mark and what is left unread (the app's badge per room). */
const withReadMarks = <R extends { id: string; lastSeq: number }>(rooms: R[], readSeqs: Map<string, number>) =>
  rooms.map((room) => {
    const readSeq = readSeqs.get(room.id) ?? 0;
    return { ...room, readSeq, unread: Math.max(room.lastSeq - readSeq, 0) };
  });

const etagOf = (metaVersion: number): string => `"${metaVersion}"`;

/** `If-Match: "3"` → 3; `*` or absent → undefined (no precondition); anything else can never match. */
function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"(\d+)"\s*$/.exec(header);
  return match?.[1] === undefined ? -1 : Number(match[1]);
}

export const roomRoutes: FastifyPluginAsyncTypebox<{ deps: ApiDeps }> = async (app, { deps }) => {
  app.post(
    '/v1/rooms',
    {
      schema: {
        tags: ['rooms'],
        summary: 'Create a room (admin, or a user who becomes a member)',
        body: CreateRoomBody,
        response: { 201: Type.Object({ id: Id, memberVersion: Type.Integer(), epoch: Type.Integer() }) },
      },
    },
    async (request, reply) => {
      const caller = identifyCaller(request, deps);
      const memberIds = caller.kind === 'user' ? [caller.userId, ...request.body.members] : request.body.members;
      const room = await createRoom(deps.db, {
        kind: request.body.kind,
        name: request.body.name,
        memberIds,
        ...(request.body.description === undefined ? {} : { description: request.body.description }),
        ...(request.body.encrypted === undefined ? {} : { encrypted: request.body.encrypted }),
      });
      await announceRoomEvent(
        deps.publisher,
        {
          roomId: room.id,
          kind: RoomEventKind.ROOM_EVENT_KIND_CREATED,
          memberVersion: room.memberVersion,
          userId: '',
          actorId: caller.kind === 'user' ? caller.userId : '',
          metaVersion: room.metaVersion,
          atMs: Date.now(),
        },
        room.memberIds,
      );
      return reply.code(201).send({ id: room.id, memberVersion: room.memberVersion, epoch: room.epoch });
    },
  );

  app.get(
    '/v1/rooms',
    {
      schema: {
        tags: ['rooms'],
        summary: "The caller's rooms (user), each with the caller's readSeq and unread",
        response: { 200: Type.Object({ rooms: Type.Array(Type.Omit(RoomView, ['members'])) }) },
      },
    },
    async (request) => {
      const caller = requireUser(identifyCaller(request, deps));
      const rooms = await listRoomsOfUser(deps.db, caller.userId);
      return { rooms: withReadMarks(rooms, await readSeqsOfUser(deps.db, caller.userId)) };
    },
  );

  app.get(
    '/v1/rooms/:id',
    {
      schema: {
        tags: ['rooms'],
        summary: "A room with lastSeq, memberVersion and members (member), and the caller's readSeq and unread; ETag = metadata version",
        params: RoomIdParams,
        response: { 200: RoomView },
      },
    },
    async (request, reply) => {
      const caller = identifyCaller(request, deps);
      const room = await roomForCaller(deps.db, request.params.id, caller);
      const view = roomView(room);
      if (caller.kind === 'user') {
        const readSeq = await getReadSeq(deps.db, room.id, caller.userId);
        Object.assign(view, { readSeq, unread: Math.max(room.lastSeq - readSeq, 0) });
      }
      return reply.header('etag', etagOf(room.metaVersion)).send(view);
    },
  );

  app.patch(
    '/v1/rooms/:id',
    {
      schema: {
        tags: ['rooms'],
        summary: 'Change name/description (member); honours If-Match, 412 when stale',
        params: RoomIdParams,
        body: PatchRoomBody,
        headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
        response: { 200: RoomView },
      },
    },
    async (request, reply) => {
      const caller = identifyCaller(request, deps);
      await roomForCaller(deps.db, request.params.id, caller);
      const ifMatch = parseIfMatch(request.headers['if-match']);
      const updated = await updateRoomMetadata(deps.db, request.params.id, request.body, ifMatch);
      await announceRoomEvent(deps.publisher, {
        roomId: updated.id,
        kind: RoomEventKind.ROOM_EVENT_KIND_METADATA_CHANGED,
        memberVersion: updated.memberVersion,
        userId: '',
        actorId: caller.kind === 'user' ? caller.userId : '',
        metaVersion: updated.metaVersion,
        atMs: Date.now(),
      });
      const room = await roomForCaller(deps.db, updated.id, { kind: 'admin' });
      return reply.header('etag', etagOf(room.metaVersion)).send(roomView(room));
    },
  );
};
