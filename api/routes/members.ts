import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { RoomEventKind } from '../../schema/index.js';
import { addMember, removeMember, type MembershipChange } from '../../store/index.js';
import { identifyCaller, type Caller } from '../caller.js';
import type { ApiDeps } from '../deps.js';
import { BODY_ERRORS, CALLER_ERRORS, INPUT_ERRORS, ROOM_ACCESS_ERRORS, errorResponses } from '../error-responses.js';
import { roomForCaller } from '../room-access.js';
import { apiError } from '../errors.js';
import { announceRoomEvent } from '../room-events.js';
import { AddMemberBody, MemberParams, RoomIdParams } from '../schemas.js';

const MembershipView = Type.Object({ memberVersion: Type.Integer(), changed: Type.Boolean() });

/** Membership changes bump member_version and are announced as RoomEvents (docs/durable-path.md#group-permission-race). */
export const memberRoutes: FastifyPluginAsyncTypebox<{ deps: ApiDeps }> = async (app, { deps }) => {
  async function announce(roomId: string, userId: string, caller: Caller, change: MembershipChange, kind: RoomEventKind): Promise<void> {
    if (!change.changed) return;
    await announceRoomEvent(
      deps.publisher,
      {
        roomId,
        kind,
        memberVersion: change.memberVersion,
        userId,
        actorId: caller.kind === 'user' ? caller.userId : '',
        metaVersion: 0,
        atMs: Date.now(),
      },
      [userId],
    );
  }

  /**
   * On an external broker nothing stops a removed member's existing subscriptions but the broker
   * itself: its clients are disconnected, and the authoriser refuses the room when they subscribe
   * again. Also on a repeated DELETE (nothing changed), so repeating it is the retry of a failed kick.
   */
  async function disconnectFromExternalBroker(userId: string, log: { warn: (fields: object, message: string) => void }): Promise<void> {
    const admin = deps.externalBroker?.admin;
    if (admin === undefined) return;
    try {
      await admin.disconnectUser(userId);
    } catch (error) {
      log.warn({ userId, err: (error as Error).message }, 'removed member not disconnected from the broker');
      throw apiError('ERR_MEMBER_DISCONNECT_FAILED', undefined, { userId });
    }
  }

  app.post(
    '/v1/rooms/:id/members',
    {
      schema: {
        tags: ['members'],
        summary: 'Add a member (admin or member)',
        params: RoomIdParams,
        body: AddMemberBody,
        response: {
          200: MembershipView,
          ...errorResponses(CALLER_ERRORS, BODY_ERRORS, ROOM_ACCESS_ERRORS, 'ERR_USER_NOT_FOUND', 'ERR_ROOM_DIRECT_IMMUTABLE'),
        },
      },
    },
    async (request) => {
      const caller = identifyCaller(request, deps);
      await roomForCaller(deps.db, request.params.id, caller);
      const change = await addMember(deps.db, request.params.id, request.body.userId);
      await announce(request.params.id, request.body.userId, caller, change, RoomEventKind.ROOM_EVENT_KIND_MEMBER_ADDED);
      return change;
    },
  );

  app.delete(
    '/v1/rooms/:id/members/:userId',
    {
      schema: {
        tags: ['members'],
        summary: 'Remove a member (admin or member); the removed member stops receiving at once',
        params: MemberParams,
        response: { 200: MembershipView, ...errorResponses(CALLER_ERRORS, INPUT_ERRORS, ROOM_ACCESS_ERRORS, 'ERR_ROOM_DIRECT_IMMUTABLE') },
      },
    },
    async (request) => {
      const caller = identifyCaller(request, deps);
      await roomForCaller(deps.db, request.params.id, caller);
      const change = await removeMember(deps.db, request.params.id, request.params.userId);
      await announce(request.params.id, request.params.userId, caller, change, RoomEventKind.ROOM_EVENT_KIND_MEMBER_REMOVED);
      await disconnectFromExternalBroker(request.params.userId, request.log);
      return change;
    },
  );
};
