import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { isAppError } from '../../lib/errors.js';
import type { DeviceIdentity } from '../../lib/tokens.js';
import { deviceClientId } from '../../schema/index.js';
import { tokensNotBeforeMs } from '../../store/index.js';
import { identifyCaller, requireUser } from '../caller.js';
import type { ApiDeps } from '../deps.js';
import { BODY_ERRORS, CALLER_ERRORS, errorResponses, INPUT_ERRORS } from '../error-responses.js';
import { apiError } from '../errors.js';
import { LinkRefusedError } from '../events/device-links.js';
import { prepareEventStream, type PreparedStream, type StreamDevice } from '../events/event-stream.js';
import { parseResume } from '../events/resume.js';
import type { StreamRegistry } from '../events/stream-registry.js';
import { createTicketBook } from '../events/ticket-book.js';

/** How long a ticket opens a stream: long enough for one round trip, short enough to be useless from a log. */
export const TICKET_TTL_MS = 30_000;
/** Redeemed tickets remembered per node (each for at most TICKET_TTL_MS). */
const MAX_REMEMBERED_TICKETS = 100_000;
/** CONNACK return codes (MQTT 3.1.1 §3.2.2.3) that mean the credential, not the server. */
const CONNACK_BAD_CREDENTIALS = new Set([4, 5]);
const RETRY_AFTER_MS = 1_000;
const MAX_TOPICS_PER_CALL = 100;

const Topic = Type.String({ minLength: 1, maxLength: 256 });

/**
 * The SSE fallback for devices whose WebSocket is blocked: a ticket for EventSource (which
 * cannot send an Authorization header), the event stream itself, and the stream's subscriptions.
 * Sends take the REST send path; typing and receipts are in signals.ts.
 */
export const eventRoutes: FastifyPluginAsyncTypebox<{ deps: ApiDeps; streams: StreamRegistry }> = async (app, { deps, streams }) => {
  const tickets = createTicketBook({ now: Date.now }, { maxTickets: MAX_REMEMBERED_TICKETS });
  let open = 0;
  // Open streams would hold the server's close forever; they end first, each with `end {code: shutting_down}`.
  app.addHook('preClose', (done) => {
    streams.closeAll();
    done();
  });

  app.post(
    '/v1/events/tickets',
    {
      schema: {
        tags: ['events'],
        summary: `A single-use ticket (user) that opens one event stream within ${TICKET_TTL_MS / 1000} s: GET /v1/events?ticket=...`,
        response: {
          201: Type.Object({ ticket: Type.String(), expiresAt: Type.String({ format: 'date-time' }) }),
          ...errorResponses(CALLER_ERRORS, 'ERR_AUTH_FORBIDDEN'),
        },
      },
    },
    async (request, reply) => {
      const caller = requireUser(identifyCaller(request, deps));
      const { ticket, expiresAtMs } = deps.tokens.issueTicket(caller, TICKET_TTL_MS);
      return reply.code(201).send({ ticket, expiresAt: new Date(expiresAtMs).toISOString() });
    },
  );

  app.get(
    '/v1/events',
    {
      schema: {
        tags: ['events'],
        summary:
          'Server-Sent Events (user, by ?ticket= or bearer): the inbox and the named rooms, resumed after each room seq (rooms=id:seq,...; Last-Event-ID id:seq), then live',
        querystring: Type.Object(
          { ticket: Type.Optional(Type.String({ maxLength: 2048 })), rooms: Type.Optional(Type.String({ maxLength: 40_000 })) },
          { additionalProperties: false },
        ),
        headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ maxLength: 100 })) }),
        // 200 is the event stream itself (text/event-stream), written by hand.
        response: errorResponses(
          CALLER_ERRORS,
          INPUT_ERRORS,
          'ERR_AUTH_FORBIDDEN',
          'ERR_EVENTS_TICKET_INVALID',
          'ERR_EVENTS_TOO_MANY_STREAMS',
        ),
      },
    },
    async (request, reply) => {
      const device = await streamDevice(request, request.query.ticket);
      if (open >= deps.events.maxStreams) throw apiError('ERR_EVENTS_TOO_MANY_STREAMS', undefined, { retryAfterMs: RETRY_AFTER_MS });
      const resume = parseResume(request.query.rooms, request.headers['last-event-id']);
      if (!resume.ok) throw apiError('ERR_REQUEST_INVALID', resume.problem);
      const stream = await prepare(device, resume.positions);
      sendStream(request, reply, stream, deviceClientId(device.userId, device.deviceId));
    },
  );

  app.post(
    '/v1/events/subscriptions',
    {
      schema: {
        tags: ['events'],
        summary:
          "Subscribe the caller's event stream to more topics, or unsubscribe (user); the broker's ACL answers each as a SUBACK would",
        body: Type.Object(
          {
            add: Type.Optional(Type.Array(Topic, { maxItems: MAX_TOPICS_PER_CALL })),
            remove: Type.Optional(Type.Array(Topic, { maxItems: MAX_TOPICS_PER_CALL })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ granted: Type.Array(Type.Integer(), { description: 'per added topic: the QoS granted, or 128 (refused)' }) }),
          ...errorResponses(CALLER_ERRORS, BODY_ERRORS, 'ERR_AUTH_FORBIDDEN', 'ERR_EVENTS_NO_STREAM'),
        },
      },
    },
    async (request) => {
      const caller = requireUser(identifyCaller(request, deps));
      const stream = streams.get(deviceClientId(caller.userId, caller.deviceId));
      if (stream === undefined) throw apiError('ERR_EVENTS_NO_STREAM');
      const { add = [], remove = [] } = request.body;
      if (remove.length > 0) await stream.unsubscribe(remove);
      return { granted: add.length > 0 ? await stream.subscribe(add) : [] };
    },
  );

  /** Who the stream is for: a ticket's device, or the bearer token's. */
  async function streamDevice(request: FastifyRequest, ticket: string | undefined): Promise<StreamDevice> {
    if (ticket === undefined) {
      const caller = requireUser(identifyCaller(request, deps));
      return deviceFor(caller);
    }
    let claims;
    try {
      claims = deps.tokens.verifyTicket(ticket);
    } catch (error) {
      throw apiError(
        'ERR_EVENTS_TICKET_INVALID',
        isAppError(error) && error.code === 'ERR_AUTH_TOKEN_EXPIRED' ? 'ticket expired' : undefined,
      );
    }
    if (!tickets.redeem(claims.ticketId, claims.ticketExpiresAtMs)) throw apiError('ERR_EVENTS_TICKET_INVALID', 'ticket already used');
    // A ticket is no bearer, so the revocation check of every call (token-revocation-check.ts) did not see it: the token it stands for is checked here.
    const notBeforeMs = await tokensNotBeforeMs(deps.db, claims.userId, claims.deviceId);
    if (claims.issuedAtMs < notBeforeMs) throw apiError('ERR_AUTH_TOKEN_REVOKED', undefined, { deviceId: claims.deviceId });
    return deviceFor(claims);
  }

  /**
   * The link connects with a token of its own, for the same device, expiring with the credential
   * presented and carrying its issue time: a revocation of that credential refuses the link at
   * CONNECT and cuts it once connected, as it would the device's own connection.
   */
  function deviceFor(identity: DeviceIdentity): StreamDevice {
    const { token, expiresAtMs } = deps.tokens.issue(identity.userId, identity.deviceId, {
      expiresAtMs: identity.expiresAtMs,
      derivedFromIssuedAtMs: identity.issuedAtMs,
    });
    return { userId: identity.userId, deviceId: identity.deviceId, token, expiresAtMs };
  }

  async function prepare(device: StreamDevice, positions: ReadonlyMap<string, number>): Promise<PreparedStream> {
    try {
      return await prepareEventStream(
        {
          db: deps.db,
          links: deps.deviceLinks,
          recordDelivered: (mark) => deps.recordDelivered(mark),
          metrics: deps.metrics,
          log: deps.log,
        },
        deps.events,
        device,
        positions,
      );
    } catch (error) {
      if (!(error instanceof LinkRefusedError)) throw error;
      if (error.returnCode !== undefined && CONNACK_BAD_CREDENTIALS.has(error.returnCode)) throw apiError('ERR_AUTH_TOKEN_INVALID');
      throw apiError('ERR_UNAVAILABLE', `the broker did not accept the stream: ${error.message}`, { retryAfterMs: RETRY_AFTER_MS });
    }
  }

  function sendStream(request: FastifyRequest, reply: FastifyReply, stream: PreparedStream, clientId: string): void {
    // From here the response is written by hand; the headers hooks set (CORS) go with it.
    void reply.hijack();
    const fromHooks = Object.entries(reply.getHeaders()).filter(
      (entry): entry is [string, string | number | string[]] => entry[1] !== undefined,
    );
    reply.raw.writeHead(200, {
      ...Object.fromEntries(fromHooks),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      // Proxies that buffer responses (nginx) pass this one through as it is written.
      'x-accel-buffering': 'no',
    });
    request.socket.setNoDelay(true);
    open += 1;
    deps.metrics.eventStreams.inc();
    streams.add(clientId, stream);
    stream.start(reply.raw, () => {
      open -= 1;
      deps.metrics.eventStreams.dec();
      streams.remove(clientId, stream);
    });
  }
};
