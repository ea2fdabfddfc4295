import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { RoomEventKind } from '../../schema/index.js';
import { createRoom, getReadSeq, listRoomsOfUser, readSeqsOfUser, updateRoomMetadata, type RoomWithMembers } from '../../store/index.js';
import { createKeyedTokenBuckets } from '../../lib/keyed-token-buckets.js';
import { identifyCaller, requireUser, type Caller } from '../caller.js';
import type { ApiDeps } from '../deps.js';
import { BODY_ERRORS, CALLER_ERRORS, INPUT_ERRORS, ROOM_ACCESS_ERRORS, errorResponses } from '../error-responses.js';
import { apiError } from '../errors.js';
import { roomForCaller } from '../room-access.js';
import { announceRoomEvent } from '../room-events.js';
import { Id, MAX_VERSION, PatchRoomBody, RoomIdParams, RoomView, RoomsQuery, createRoomBody, type RoomViewT } from '../schemas.js';

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

/** `If-Match: "3"` (or W/"3") → 3; `*` or absent → undefined (no precondition); a value no version can have → 400. */
function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"(\d{1,10})"\s*$/.exec(header);
  const version = match?.[1] === undefined ? undefined : Number(match[1]);
  if (version === undefined || version < 1 || version > MAX_VERSION) {
    throw apiError('ERR_REQUEST_INVALID', `If-Match must be * or an ETag of this room ("1" to "${MAX_VERSION}")`);
  }
  return version;
}

export const roomRoutes: FastifyPluginAsyncTypebox<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { roomCreatesPerMinute, roomCreateMaxMembers } = deps.limits;
  const creations = createKeyedTokenBuckets(
    { now: deps.now ?? Date.now },
    { ratePerSecond: roomCreatesPerMinute / 60, burst: roomCreatesPerMinute },
  );

  /** Users create rooms at ROOM_CREATE_PER_MINUTE; the admin (the app's backend) only within its request budget. */
  function takeCreation(caller: Caller): void {
    if (caller.kind !== 'user') return;
    const taken = creations.take(caller.userId);
    if (!taken.allowed) {
      throw apiError('ERR_RATE_LIMITED', `more than ${roomCreatesPerMinute} rooms created per minute`, {
        retryAfterMs: taken.retryAfterMs,
      });
    }
  }

  app.post(
    '/v1/rooms',
    {
      schema: {
        tags: ['rooms'],
        summary: `Create a room (admin, or a user who becomes a member); at most ${roomCreateMaxMembers} members named, users create ${roomCreatesPerMinute} per minute`,
        body: createRoomBody(roomCreateMaxMembers),
        response: {
          201: Type.Object({ id: Id, memberVersion: Type.Integer(), epoch: Type.Integer() }),
          ...errorResponses(CALLER_ERRORS, BODY_ERRORS, 'ERR_USER_NOT_FOUND', 'ERR_ROOM_DIRECT_IMMUTABLE'),
        },
      },
    },
    async (request, reply) => {
      const caller = identifyCaller(request, deps);
      takeCreation(caller);
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
        summary:
          "The caller's rooms (user), each with the caller's readSeq and unread, a page at a time in id order: pass nextAfter as after until it is null",
        querystring: RoomsQuery,
        response: {
          200: Type.Object({
            rooms: Type.Array(Type.Omit(RoomView, ['members'])),
            nextAfter: Type.Union([Id, Type.Null()], { description: 'after= for the next page; null on the last page' }),
          }),
          ...errorResponses(CALLER_ERRORS, INPUT_ERRORS, 'ERR_AUTH_FORBIDDEN'),
        },
      },
    },
    async (request) => {
      const caller = requireUser(identifyCaller(request, deps));
      const { limit, after } = request.query;
      const page = await listRoomsOfUser(deps.db, caller.userId, { limit, ...(after === undefined ? {} : { after }) });
      const readSeqs = await readSeqsOfUser(
        deps.db,
        caller.userId,
        page.rooms.map((room) => room.id),
      );
      return { rooms: withReadMarks(page.rooms, readSeqs), nextAfter: page.nextAfter ?? null };
    },
  );

  app.get(
    '/v1/rooms/:id',
    {
      schema: {
        tags: ['rooms'],
        summary: "A room with lastSeq, memberVersion and members (member), and the caller's readSeq and unread; ETag = metadata version",
        params: RoomIdParams,
        response: { 200: RoomView, ...errorResponses(CALLER_ERRORS, INPUT_ERRORS, ROOM_ACCESS_ERRORS) },
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
        headers: Type.Object({ 'if-match': Type.Optional(Type.String({ maxLength: 64 })) }),
        response: { 200: RoomView, ...errorResponses(CALLER_ERRORS, BODY_ERRORS, ROOM_ACCESS_ERRORS, 'ERR_ROOM_PRECONDITION_FAILED') },
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
