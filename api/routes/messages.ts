import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { NackReason, type Message } from '../../schema/index.js';
import { getHistory } from '../../store/index.js';
import { identifyCaller, requireUser } from '../caller.js';
import type { ApiDeps } from '../deps.js';
import { BODY_ERRORS, CALLER_ERRORS, INPUT_ERRORS, ROOM_ACCESS_ERRORS, errorResponses } from '../error-responses.js';
import { apiError, type ApiErrorCode } from '../errors.js';
import { roomForCaller } from '../room-access.js';
import { AckView, HistoryQuery, HistoryView, RoomIdParams, SendBody, type MessageViewT } from '../schemas.js';

const messageView = (m: Message): MessageViewT => ({
  seq: m.seq,
  senderId: m.senderId,
  senderDevice: m.senderDevice,
  clientMsgId: m.clientMsgId,
  sentAt: new Date(m.sentAtMs).toISOString(),
  sentAtMs: m.sentAtMs,
  contentType: m.contentType,
  body: Buffer.from(m.body).toString('base64'),
});

const ERROR_FOR_NACK: Record<NackReason, ApiErrorCode> = {
  [NackReason.NACK_REASON_UNSPECIFIED]: 'ERR_INTERNAL',
  [NackReason.NACK_REASON_MALFORMED]: 'ERR_MESSAGE_INVALID',
  [NackReason.NACK_REASON_ROOM_NOT_FOUND]: 'ERR_ROOM_NOT_FOUND',
  [NackReason.NACK_REASON_NOT_MEMBER]: 'ERR_ROOM_NOT_MEMBER',
  [NackReason.NACK_REASON_STALE_ROOM_VERSION]: 'ERR_ROOM_VERSION_STALE',
  [NackReason.NACK_REASON_TOO_LARGE]: 'ERR_MESSAGE_TOO_LARGE',
  [NackReason.NACK_REASON_RATE_LIMITED]: 'ERR_RATE_LIMITED',
  [NackReason.NACK_REASON_UNAVAILABLE]: 'ERR_UNAVAILABLE',
};

/** What a send can be Nacked for, as REST errors. */
const SEND_ERRORS = [...new Set(Object.values(ERROR_FOR_NACK))];

export const messageRoutes: FastifyPluginAsyncTypebox<{ deps: ApiDeps }> = async (app, { deps }) => {
  app.get(
    '/v1/rooms/:id/messages',
    {
      schema: {
        tags: ['messages'],
        summary: 'History and gap-fill (member): after= pages forwards, before= backwards; always ascending. 410 when below retention.',
        params: RoomIdParams,
        querystring: HistoryQuery,
        response: { 200: HistoryView, ...errorResponses(CALLER_ERRORS, INPUT_ERRORS, ROOM_ACCESS_ERRORS, 'ERR_HISTORY_TRUNCATED') },
      },
    },
    async (request) => {
      const caller = identifyCaller(request, deps);
      await roomForCaller(deps.db, request.params.id, caller);
      const { after, before, limit } = request.query;
      const page = await getHistory(deps.db, request.params.id, {
        limit,
        ...(after === undefined ? {} : { after }),
        ...(before === undefined ? {} : { before }),
      });
      // A device catching up forwards now has these messages: no push should announce them anymore.
      const newest = page.messages[page.messages.length - 1];
      if (caller.kind === 'user' && before === undefined && newest !== undefined) {
        deps.recordDelivered({ roomId: request.params.id, userId: caller.userId, deliveredSeq: newest.seq });
      }
      return { messages: page.messages.map(messageView), lastSeq: page.lastSeq, epoch: page.epoch, historyFloor: page.historyFloor };
    },
  );

  app.post(
    '/v1/rooms/:id/messages',
    {
      schema: {
        tags: ['messages'],
        summary: 'Send (user member): the same pipeline and answer as an MQTT send. 201 stored, 200 duplicate of a stored send.',
        params: RoomIdParams,
        body: SendBody,
        response: {
          200: AckView,
          201: AckView,
          ...errorResponses(CALLER_ERRORS, BODY_ERRORS, ROOM_ACCESS_ERRORS, 'ERR_AUTH_FORBIDDEN', SEND_ERRORS),
        },
      },
    },
    async (request, reply) => {
      const caller = requireUser(identifyCaller(request, deps));
      const result = await deps.submitSend(
        { userId: caller.userId, deviceId: caller.deviceId },
        {
          roomId: request.params.id,
          clientMsgId: request.body.clientMsgId,
          roomVersion: request.body.roomVersion,
          body: Buffer.from(request.body.body, 'base64'),
          contentType: request.body.contentType ?? '',
        },
      );
      if (result.status === 'rejected') {
        const { reason, detail, roomVersion, retryAfterMs } = result.nack;
        throw apiError(ERROR_FOR_NACK[reason], detail || undefined, { roomVersion, ...(retryAfterMs > 0 ? { retryAfterMs } : {}) });
      }
      const { message } = result;
      return reply
        .code(result.status === 'stored' ? 201 : 200)
        .send({ roomId: message.roomId, clientMsgId: message.clientMsgId, seq: message.seq, duplicate: result.status === 'duplicate' });
    },
  );
};
