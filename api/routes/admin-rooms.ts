/** The admin's view of rooms (every room, a page at a time, with filters and member counts) and of the platform's counts. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listRooms, platformCounts } from '../../store/index.js';
import { AdminRoomsQuery, AdminRoomsView, StatsView } from '../admin-schemas.js';
import { identifyCaller, requireAdmin } from '../caller.js';
import type { ApiDeps } from '../deps.js';
import { ADMIN_ERRORS, CALLER_ERRORS, INPUT_ERRORS, errorResponses } from '../error-responses.js';

export const adminRoomRoutes: FastifyPluginAsyncTypebox<{ deps: ApiDeps }> = async (app, { deps }) => {
  app.get(
    '/v1/admin/rooms',
    {
      schema: {
        tags: ['admin'],
        summary:
          'Every room in id order, a page at a time (pass nextAfter as after until it is null), by name prefix, kind or member; ' +
          'total counts every page',
        querystring: AdminRoomsQuery,
        response: { 200: AdminRoomsView, ...errorResponses(CALLER_ERRORS, INPUT_ERRORS, ADMIN_ERRORS) },
      },
    },
    async (request) => {
      requireAdmin(identifyCaller(request, deps));
      const { limit, after, prefix, kind, member } = request.query;
      const page = await listRooms(deps.db, {
        limit,
        ...(after === undefined ? {} : { after }),
        ...(prefix === undefined ? {} : { namePrefix: prefix }),
        ...(kind === undefined ? {} : { kind }),
        ...(member === undefined ? {} : { memberId: member }),
      });
      return { rooms: page.rooms, nextAfter: page.nextAfter ?? null, total: page.total };
    },
  );

  app.get(
    '/v1/admin/stats',
    {
      schema: {
        tags: ['admin'],
        summary:
          'Platform-wide counts from the database: users, rooms, messages, push backlog, deny list (full counts: for people, not scrapers)',
        response: { 200: StatsView, ...errorResponses(CALLER_ERRORS, ADMIN_ERRORS) },
      },
    },
    async (request) => {
      requireAdmin(identifyCaller(request, deps));
      return platformCounts(deps.db);
    },
  );
};
