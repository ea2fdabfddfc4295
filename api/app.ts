/**
 * Builds the REST control plane (docs/contract.md#rest) without listening, so tests use `inject()`
 * and `main.ts` decides where it listens.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { isAppError } from '../lib/errors.js';
import { registerCors } from './cors.js';
import type { ApiDeps } from './deps.js';
import { API_ERRORS, isApiErrorCode, type ApiErrorCode } from './errors.js';
import { createStreamRegistry } from './events/stream-registry.js';
import { registerRateLimits } from './rate-limits.js';
import { adminRoomRoutes } from './routes/admin-rooms.js';
import { adminTokenRoutes } from './routes/admin-tokens.js';
import { adminUserRoutes } from './routes/admin-users.js';
import { brokerHookRoutes } from './routes/broker-hooks.js';
import { bundleRoutes } from './routes/bundles.js';
import { devSignInRoutes } from './routes/dev-signin.js';
import { deviceRoutes } from './routes/devices.js';
import { eventRoutes } from './routes/events.js';
import { keyRoutes } from './routes/keys.js';
import { memberRoutes } from './routes/members.js';
import { messageRoutes } from './routes/messages.js';
import { opsRoutes } from './routes/ops.js';
import { presenceRoutes } from './routes/presence.js';
import { roomRoutes } from './routes/rooms.js';
import { signalRoutes } from './routes/signals.js';
import { userRoutes } from './routes/users.js';
import { webAppRoutes } from './routes/web-app.js';
import { ErrorBody } from './schemas.js';
import { registerInputGuard } from './input-guard.js';
import { registerTokenRevocationCheck } from './token-revocation-check.js';

/** Fastify's own error codes that are the client's fault, and what we call them. */
const FASTIFY_CLIENT_ERRORS: Record<string, ApiErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'ERR_REQUEST_INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'ERR_REQUEST_INVALID_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'ERR_REQUEST_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'ERR_REQUEST_INVALID',
};

/**
 * Typed database failures (store/db-errors.ts) that are not API codes themselves: a refused value
 * is the request's fault. (An outage is ERR_UNAVAILABLE already, with its retryAfterMs.)
 */
const DB_FAILURES: Record<string, { code: ApiErrorCode; details?: Record<string, unknown> }> = {
  ERR_DB_DATA_REJECTED: { code: 'ERR_REQUEST_INVALID' },
};

/**
 * Query strings, paths and headers arrive as text, so their numbers are coerced; JSON bodies
 * are typed already, and `{"name": 42}` must be a 400, not the name "42".
 */
const validators = (() => {
  const options = { useDefaults: true, removeAdditional: false, allErrors: false, strictSchema: false } as const;
  const body = new Ajv({ ...options, coerceTypes: false });
  const url = new Ajv({ ...options, coerceTypes: 'array' });
  for (const ajv of [body, url]) addFormats.default(ajv);
  return { body, url };
})();

export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  // Typed as Fastify's logger interface, so the instance is the plain FastifyInstance callers expect.
  const logger: FastifyBaseLogger = deps.log.child({ module: 'api' });
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: deps.maxPayloadBytes * 2, // base64 bodies are 4/3 of their bytes, plus the JSON around them
    // The router's own refusals (a path that is not valid percent-encoding, a parameter longer than
    // maxParamLength) come before any route or error handler: answered here from the same catalogue.
    frameworkErrors: (error, _request, reply: FastifyReply) => {
      const code: ApiErrorCode = 'ERR_REQUEST_INVALID';
      void reply.code(API_ERRORS[code].status).send({ error: { code, message: error.message } });
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? validators.body : validators.url).compile(schema));

  app.addSchema(ErrorBody);
  // First: every route and hook registered after (CORS's OPTIONS route among them) answers errors through these.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, body } = errorResponse(error);
    if (status >= 500 && status !== 503) request.log.error({ err: error }, 'request failed');
    // Validation should have refused it before the database did: worth a look.
    if (error.code === 'ERR_DB_DATA_REJECTED') request.log.warn({ err: error }, 'request refused by the database');
    const retryAfterMs = (body.error.details as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
    // RFC 9110 §10.2.3: whole seconds; rounded up so a client never comes back too early.
    if (typeof retryAfterMs === 'number' && retryAfterMs > 0) void reply.header('retry-after', String(Math.ceil(retryAfterMs / 1000)));
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { code: 'ERR_ROUTE_NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` } }),
  );

  await registerCors(app, deps.corsOrigins);
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'MQTT chat platform: control plane',
        version: '1.0.0',
        description: 'REST contract v1 (docs/contract.md#rest). Errors: { error: { code, message } }.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    // Shared schemas (ErrorBody) appear under their own $id in the document, not as def-0.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json['$id'] === 'string' ? json['$id'] : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await registerRateLimits(app, deps);
  registerInputGuard(app);
  registerTokenRevocationCheck(app, deps);

  // Per-request lines ("incoming request", "request completed") are info in Fastify; here they are noise.
  for (const routes of [
    opsRoutes,
    userRoutes,
    roomRoutes,
    memberRoutes,
    messageRoutes,
    presenceRoutes,
    deviceRoutes,
    keyRoutes,
    bundleRoutes,
    adminUserRoutes,
    adminRoomRoutes,
    adminTokenRoutes,
  ])
    await app.register(routes, { deps, logLevel: 'warn' });
  // The event streams of this node, shared by the stream itself and the calls that act through it.
  const streams = createStreamRegistry();
  for (const routes of [eventRoutes, signalRoutes]) await app.register(routes, { deps, streams, logLevel: 'warn' });
  if (deps.externalBroker !== undefined) await app.register(brokerHookRoutes, { deps, broker: deps.externalBroker, logLevel: 'warn' });
  if (deps.devSignIn) await app.register(devSignInRoutes, { deps, logLevel: 'warn' });
  if (deps.webRoot !== undefined) await app.register(webAppRoutes, { deps, webRoot: deps.webRoot, logLevel: 'warn' });
  return app;
}

function errorResponse(error: FastifyError): { status: number; body: { error: { code: string; message: string; details?: unknown } } } {
  const dbFailure = isAppError(error) ? DB_FAILURES[error.code] : undefined;
  if (dbFailure !== undefined) {
    const { code, details } = dbFailure;
    const body = { code, message: API_ERRORS[code].description, ...(details === undefined ? {} : { details }) };
    return { status: API_ERRORS[code].status, body: { error: body } };
  }
  if (isAppError(error) && isApiErrorCode(error.code)) {
    const body = { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) };
    return { status: API_ERRORS[error.code].status, body: { error: body } };
  }
  if (error.validation !== undefined) {
    return { status: 400, body: { error: { code: 'ERR_REQUEST_INVALID', message: error.message } } };
  }
  const mapped = error.code === undefined ? undefined : FASTIFY_CLIENT_ERRORS[error.code];
  if (mapped !== undefined) return { status: API_ERRORS[mapped].status, body: { error: { code: mapped, message: error.message } } };
  return { status: 500, body: { error: { code: 'ERR_INTERNAL', message: API_ERRORS.ERR_INTERNAL.description } } };
}
