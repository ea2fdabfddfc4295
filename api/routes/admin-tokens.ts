/**
 * Revoking a device's tokens (or every device's of a user): a deny list row, then a notice that
 * makes every broker node disconnect the device at once. Tokens issued before the revocation are
 * refused at CONNECT (CONNACK 5) and on every REST call (401 ERR_AUTH_TOKEN_REVOKED); a token
 * issued for the device afterwards works.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ALL_DEVICES } from '../../schema/index.js';
import { denyTokens, getUser } from '../../store/index.js';
import { RevocationView, RevokeBody } from '../admin-schemas.js';
import { identifyCaller, requireAdmin } from '../caller.js';
import type { ApiDeps } from '../deps.js';
import { ADMIN_ERRORS, BODY_ERRORS, CALLER_ERRORS, errorResponses } from '../error-responses.js';
import { apiError } from '../errors.js';
import { announceTokenRevocation } from '../token-revocations.js';

export const adminTokenRoutes: FastifyPluginAsyncTypebox<{ deps: ApiDeps }> = async (app, { deps }) => {
  app.post(
    '/v1/admin/revocations',
    {
      schema: {
        tags: ['admin'],
        summary:
          "Revoke a device's tokens (without deviceId: every device of the user): its connections are cut at once, tokens issued " +
          'before now are refused; a token issued afterwards works',
        body: RevokeBody,
        response: { 201: RevocationView, ...errorResponses(CALLER_ERRORS, BODY_ERRORS, ADMIN_ERRORS, 'ERR_USER_NOT_FOUND') },
      },
    },
    async (request, reply) => {
      requireAdmin(identifyCaller(request, deps));
      const { userId, deviceId } = request.body;
      if ((await getUser(deps.db, userId)) === undefined) throw apiError('ERR_USER_NOT_FOUND', undefined, { userId });
      const denial = await denyTokens(deps.db, { userId, deviceId: deviceId ?? ALL_DEVICES, notBeforeMs: (deps.now ?? Date.now)() });
      await announceTokenRevocation(deps, denial);
      request.log.info({ userId, deviceId: denial.deviceId }, 'device tokens revoked');
      return reply.code(201).send({ userId, deviceId: deviceId ?? null, notBefore: new Date(denial.notBeforeMs).toISOString() });
    },
  );
};
