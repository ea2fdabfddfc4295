/**
 * The admin's view of users: pages with filters and counts, one user (deleted ones too), and
 * deletion (store/admin-users.ts says what it keeps and what it removes).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ALL_DEVICES, RoomEventKind } from '../../schema/index.js';
import { deleteUser, getUserRecord, listUsers, type UserRecord } from '../../store/index.js';
import { AdminUsersQuery, AdminUsersView, AdminUserView, UserDeletionView, UserIdParams } from '../admin-schemas.js';
import { identifyCaller, requireAdmin } from '../caller.js';
import type { ApiDeps } from '../deps.js';
import { ADMIN_ERRORS, CALLER_ERRORS, INPUT_ERRORS, errorResponses } from '../error-responses.js';
import { apiError } from '../errors.js';
import { announceRoomEvent } from '../room-events.js';
import { announceTokenRevocation } from '../token-revocations.js';

const isoOf = (ms: number): string => new Date(ms).toISOString();

const userView = (user: UserRecord) => ({
  id: user.id,
  name: user.name,
  createdAt: isoOf(user.createdAtMs),
  deletedAt: user.deletedAtMs === null ? null : isoOf(user.deletedAtMs),
  rooms: user.roomCount,
});

export const adminUserRoutes: FastifyPluginAsyncTypebox<{ deps: ApiDeps }> = async (app, { deps }) => {
  app.get(
    '/v1/admin/users',
    {
      schema: {
        tags: ['admin'],
        summary: 'Users in id order, a page at a time (pass nextAfter as after until it is null), by name prefix; total counts every page',
        querystring: AdminUsersQuery,
        response: { 200: AdminUsersView, ...errorResponses(CALLER_ERRORS, INPUT_ERRORS, ADMIN_ERRORS) },
      },
    },
    async (request) => {
      requireAdmin(identifyCaller(request, deps));
      const { limit, after, prefix, deleted } = request.query;
      const page = await listUsers(deps.db, {
        limit,
        deleted,
        ...(after === undefined ? {} : { after }),
        ...(prefix === undefined ? {} : { namePrefix: prefix }),
      });
      return { users: page.users.map(userView), nextAfter: page.nextAfter ?? null, total: page.total };
    },
  );

  app.get(
    '/v1/admin/users/:userId',
    {
      schema: {
        tags: ['admin'],
        summary: 'One user, deleted or not (a deleted user has deletedAt and an empty name)',
        params: UserIdParams,
        response: { 200: AdminUserView, ...errorResponses(CALLER_ERRORS, INPUT_ERRORS, ADMIN_ERRORS, 'ERR_USER_NOT_FOUND') },
      },
    },
    async (request) => {
      requireAdmin(identifyCaller(request, deps));
      const user = await getUserRecord(deps.db, request.params.userId);
      if (user === undefined) throw apiError('ERR_USER_NOT_FOUND', undefined, { userId: request.params.userId });
      return userView(user);
    },
  );

  app.delete(
    '/v1/admin/users/:userId',
    {
      schema: {
        tags: ['admin'],
        summary:
          'Delete a user: its connections are cut and its tokens refused, it leaves every room (members are told), its push tokens and ' +
          'end-to-end keys are deleted; its messages stay in history under its id. Idempotent',
        params: UserIdParams,
        response: { 200: UserDeletionView, ...errorResponses(CALLER_ERRORS, INPUT_ERRORS, ADMIN_ERRORS, 'ERR_USER_NOT_FOUND') },
      },
    },
    async (request) => {
      requireAdmin(identifyCaller(request, deps));
      const { userId } = request.params;
      const now = deps.now ?? Date.now;
      const deletion = await deleteUser(deps.db, userId, now());
      // Its connections first: a deleted user must not read what its rooms say about its leaving.
      await announceTokenRevocation(deps, { userId, deviceId: ALL_DEVICES, notBeforeMs: deletion.deletedAtMs });
      const atMs = now();
      for (const { roomId, memberVersion } of deletion.roomsLeft) {
        const event = {
          roomId,
          kind: RoomEventKind.ROOM_EVENT_KIND_MEMBER_REMOVED,
          memberVersion,
          userId,
          actorId: '',
          metaVersion: 0,
          atMs,
        };
        await announceRoomEvent(deps.publisher, event).catch((error: unknown) =>
          deps.log.warn({ roomId, userId, err: (error as Error).message }, 'member removal of a deleted user not announced'),
        );
      }
      request.log.info({ userId, roomsLeft: deletion.roomsLeft.length, deletedNow: deletion.deletedNow }, 'user deleted');
      return {
        id: userId,
        deletedAt: isoOf(deletion.deletedAtMs),
        deletedNow: deletion.deletedNow,
        roomsLeft: deletion.roomsLeft.length,
        pushTokensDeleted: deletion.pushTokensDeleted,
        keyDevicesDeleted: deletion.keyDevicesDeleted,
      };
    },
  );
};
