import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ID_PATTERN_SOURCE } from '../../schema/index.js';
import { sharesRoom } from '../../store/index.js';
import { identifyCaller } from '../caller.js';
import type { ApiDeps } from '../deps.js';
import { CALLER_ERRORS, INPUT_ERRORS, errorResponses } from '../error-responses.js';

const MAX_USERS_PER_CALL = 200;

const PresenceView = Type.Object({ userId: Type.String(), online: Type.Boolean(), lastSeenMs: Type.Integer() });

/** Presence of users (aggregated over their devices). A user sees only users it shares a room with, and itself. */
export const presenceRoutes: FastifyPluginAsyncTypebox<{ deps: ApiDeps }> = async (app, { deps }) => {
  app.get(
    '/v1/presence',
    {
      schema: {
        tags: ['presence'],
        summary: 'Presence of up to 200 users (comma-separated ids); users the caller shares no room with are left out',
        querystring: Type.Object(
          {
            userIds: Type.String({
              pattern: `^(${ID_PATTERN_SOURCE.slice(1, -1)})(,${ID_PATTERN_SOURCE.slice(1, -1)}){0,${MAX_USERS_PER_CALL - 1}}$`,
            }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ presence: Type.Array(PresenceView) }), ...errorResponses(CALLER_ERRORS, INPUT_ERRORS) },
      },
    },
    async (request) => {
      const caller = identifyCaller(request, deps);
      const requested = [...new Set(request.query.userIds.split(','))];
      const visible =
        caller.kind === 'admin'
          ? requested
          : (
              await Promise.all(
                requested.map(async (id) => (id === caller.userId || (await sharesRoom(deps.db, caller.userId, id)) ? id : undefined)),
              )
            ).filter((id): id is string => id !== undefined);
      const states = await deps.presence.read(visible);
      return { presence: visible.map((userId) => ({ userId, ...(states.get(userId) ?? { online: false, lastSeenMs: 0 }) })) };
    },
  );
};
