import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { BODY_ERRORS, CALLER_ERRORS, INPUT_ERRORS, OWN_DEVICE_ERRORS, errorResponses } from '../error-responses.js';
import { deletePushToken, getPushToken, registerPushToken, type PushPlatform } from '../../store/index.js';
import { identifyCaller, ownDevice } from '../caller.js';
import type { ApiDeps } from '../deps.js';
import { apiError } from '../errors.js';
import { DeviceParams, PushRegistrationBody, PushRegistrationView } from '../schemas.js';

/** APNs device tokens are hex (32 bytes today; Apple warns the length may grow). */
const APNS_TOKEN = /^[0-9a-fA-F]{64,200}$/;
/** FCM registration tokens are opaque; they are printable ASCII (about 160 characters today). */
const FCM_TOKEN = /^[\x21-\x7e]{8,4096}$/;
const TOKEN_PATTERNS: Record<PushPlatform, RegExp> = { apns: APNS_TOKEN, fcm: FCM_TOKEN };

/** Push registration of the calling device (docs/push.md#registration): one provider token per (user, device). */
export const deviceRoutes: FastifyPluginAsyncTypebox<{ deps: ApiDeps }> = async (app, { deps }) => {
  const isPlatform = (value: string): value is PushPlatform => (deps.pushPlatforms as readonly string[]).includes(value);

  app.put(
    '/v1/devices/:deviceId/push',
    {
      schema: {
        tags: ['devices'],
        summary: "Register (or replace) the calling device's push token: {platform: apns | fcm, token}",
        params: DeviceParams,
        body: PushRegistrationBody,
        response: {
          200: PushRegistrationView,
          ...errorResponses(CALLER_ERRORS, BODY_ERRORS, OWN_DEVICE_ERRORS, 'ERR_PUSH_PLATFORM_INVALID', 'ERR_PUSH_TOKEN_INVALID'),
        },
      },
    },
    async (request) => {
      const caller = ownDevice(identifyCaller(request, deps), request.params.deviceId);
      const { platform, token } = request.body;
      if (!isPlatform(platform)) throw apiError('ERR_PUSH_PLATFORM_INVALID', undefined, { platforms: deps.pushPlatforms });
      if (!TOKEN_PATTERNS[platform].test(token)) throw apiError('ERR_PUSH_TOKEN_INVALID', undefined, { platform });
      const registeredAtMs = Date.now();
      await registerPushToken(deps.db, { userId: caller.userId, deviceId: caller.deviceId, platform, token, registeredAtMs });
      return { deviceId: caller.deviceId, platform, token, registeredAt: new Date(registeredAtMs).toISOString() };
    },
  );

  app.get(
    '/v1/devices/:deviceId/push',
    {
      schema: {
        tags: ['devices'],
        summary: "The calling device's push registration",
        params: DeviceParams,
        response: {
          200: PushRegistrationView,
          ...errorResponses(CALLER_ERRORS, INPUT_ERRORS, OWN_DEVICE_ERRORS, 'ERR_PUSH_TOKEN_NOT_FOUND'),
        },
      },
    },
    async (request) => {
      const caller = ownDevice(identifyCaller(request, deps), request.params.deviceId);
      const registered = await getPushToken(deps.db, caller.userId, caller.deviceId);
      if (registered === undefined) throw apiError('ERR_PUSH_TOKEN_NOT_FOUND', undefined, { deviceId: caller.deviceId });
      const { platform, token, registeredAtMs } = registered;
      return { deviceId: caller.deviceId, platform, token, registeredAt: new Date(registeredAtMs).toISOString() };
    },
  );

  app.delete(
    '/v1/devices/:deviceId/push',
    {
      schema: {
        tags: ['devices'],
        summary: "Unregister the calling device's push token (idempotent): no further pushes go to it",
        params: DeviceParams,
        response: {
          204: Type.Null({ description: 'unregistered (or was not registered)' }),
          ...errorResponses(CALLER_ERRORS, INPUT_ERRORS, OWN_DEVICE_ERRORS),
        },
      },
    },
    async (request, reply) => {
      const caller = ownDevice(identifyCaller(request, deps), request.params.deviceId);
      await deletePushToken(deps.db, caller.userId, caller.deviceId);
      return reply.code(204).send(null);
    },
  );
};
