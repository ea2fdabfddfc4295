import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { deviceClientId, encodeReceipt, encodeTyping, receiptTopic, TypingState, typingTopic } from '../../schema/index.js';
import { identifyCaller, requireUser } from '../caller.js';
import type { ApiDeps } from '../deps.js';
import { BODY_ERRORS, CALLER_ERRORS, errorResponses, ROOM_ACCESS_ERRORS } from '../error-responses.js';
import { apiError } from '../errors.js';
import type { StreamRegistry } from '../events/stream-registry.js';
import { roomForCaller } from '../room-access.js';
import { RoomIdParams } from '../schemas.js';

const TYPING_STATES = { start: TypingState.TYPING_STATE_START, renew: TypingState.TYPING_STATE_RENEW, stop: TypingState.TYPING_STATE_STOP };

/**
 * Typing and read receipts over HTTP, for a device on the SSE fallback. Each is published through
 * the device's event stream, its MQTT session at the broker, so the broker treats it as the
 * device's own PUBLISH: it stamps the sender, applies the device's rate limits (the excess is
 * dropped, as over MQTT: the answer is 204 either way), clamps and stores receipts. Membership is
 * checked here first, because over MQTT a PUBLISH outside the ACL closes the connection, which
 * here would be the device's stream.
 */
const SIGNAL_RESPONSES = {
  204: Type.Null(),
  ...errorResponses(CALLER_ERRORS, BODY_ERRORS, ROOM_ACCESS_ERRORS, 'ERR_AUTH_FORBIDDEN', 'ERR_EVENTS_NO_STREAM'),
};

export const signalRoutes: FastifyPluginAsyncTypebox<{ deps: ApiDeps; streams: StreamRegistry }> = async (app, { deps, streams }) => {
  async function streamOfMember(request: Parameters<typeof identifyCaller>[0], roomId: string) {
    const caller = requireUser(identifyCaller(request, deps));
    await roomForCaller(deps.db, roomId, caller);
    const stream = streams.get(deviceClientId(caller.userId, caller.deviceId));
    if (stream === undefined) throw apiError('ERR_EVENTS_NO_STREAM');
    return stream;
  }

  app.post(
    '/v1/rooms/:id/typing',
    {
      schema: {
        tags: ['events'],
        summary: "Typing (member with an open event stream): relayed as the device's Typing publish; 204 even when rate-limited",
        params: RoomIdParams,
        body: Type.Object({ state: Type.Enum(['start', 'renew', 'stop']) }, { additionalProperties: false }),
        response: SIGNAL_RESPONSES,
      },
    },
    async (request, reply) => {
      const stream = await streamOfMember(request, request.params.id);
      await stream.publish(typingTopic(request.params.id), encodeTyping({ state: TYPING_STATES[request.body.state], userId: '' }), 0);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/rooms/:id/receipts',
    {
      schema: {
        tags: ['events'],
        summary: "Read receipt (member with an open event stream): relayed and stored as the device's Receipt publish; 204",
        params: RoomIdParams,
        body: Type.Object({ readSeq: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
        response: SIGNAL_RESPONSES,
      },
    },
    async (request, reply) => {
      const stream = await streamOfMember(request, request.params.id);
      await stream.publish(receiptTopic(request.params.id), encodeReceipt({ readSeq: request.body.readSeq, userId: '' }), 0);
      return reply.code(204).send(null);
    },
  );
};
