import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { createUser, getUser, tokensNotBeforeMs } from '../../store/index.js';
import { identifyCaller, requireAdmin } from '../caller.js';
import type { ApiDeps } from '../deps.js';
import { ADMIN_ERRORS, BODY_ERRORS, CALLER_ERRORS, errorResponses } from '../error-responses.js';
import { apiError } from '../errors.js';
import { CreateTokenBody, CreateUserBody, Id } from '../schemas.js';

/** Admin calls: users and device tokens. */
export const userRoutes: FastifyPluginAsyncTypebox<{ deps: ApiDeps }> = async (app, { deps }) => {
  app.post(
    '/v1/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Create a user (admin)',
        body: CreateUserBody,
        response: { 201: Type.Object({ id: Id, name: Type.String() }), ...errorResponses(CALLER_ERRORS, BODY_ERRORS, ADMIN_ERRORS) },
      },
    },
    async (request, reply) => {
      requireAdmin(identifyCaller(request, deps));
      return reply.code(201).send(await createUser(deps.db, request.body));
    },
  );

  app.post(
    '/v1/tokens',
    {
      schema: {
        tags: ['users'],
        summary: 'Issue a device token (admin): MQTT username = userId, password = token, client id = {userId}:{deviceId}',
        body: CreateTokenBody,
        response: {
          201: Type.Object({ token: Type.String(), expiresAt: Type.String({ format: 'date-time' }) }),
          ...errorResponses(CALLER_ERRORS, BODY_ERRORS, ADMIN_ERRORS, 'ERR_USER_NOT_FOUND'),
        },
      },
    },
    async (request, reply) => {
      requireAdmin(identifyCaller(request, deps));
      const { userId, deviceId } = request.body;
      if ((await getUser(deps.db, userId)) === undefined) throw apiError('ERR_USER_NOT_FOUND', undefined, { userId });
      // Never before the device's revocation in force, whatever this node's clock says: a token issued after a revocation works.
      const notBeforeMs = await tokensNotBeforeMs(deps.db, userId, deviceId);
      const { token, expiresAtMs } = deps.tokens.issue(userId, deviceId, { notBeforeMs });
      return reply.code(201).send({ token, expiresAt: new Date(expiresAtMs).toISOString() });
    },
  );
};
