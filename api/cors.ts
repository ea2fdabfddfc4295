/**
 * Cross-origin access (CORS): which other origins' pages may call the API from a browser.
 * `CORS_ORIGINS` lists them; empty (the default) keeps the API same-origin: a foreign page's
 * request gets no CORS headers, so the browser withholds the answer. `*` allows any origin
 * (only when set explicitly). Tokens travel in the Authorization header, never in cookies, so
 * credentials are not allowed cross-origin.
 */
import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';

/** How long a browser may reuse a preflight answer. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/** `CORS_ORIGINS` as a list: `[]` (same origin only), `['*']`, or exact origins. */
export function parseCorsOrigins(value: string): string[] {
  return value
    .split(',')
    .map((origin) => origin.trim().replace(/\/+$/, ''))
    .filter((origin) => origin.length > 0);
}

export async function registerCors(app: FastifyInstance, origins: readonly string[]): Promise<void> {
  const allowed = new Set(origins);
  const isAny = allowed.has('*');
  await app.register(cors, {
    // The callback answers per request: a listed origin is echoed back (with Vary: Origin), any other gets no CORS headers.
    origin: isAny ? '*' : (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'if-match', 'last-event-id'],
    exposedHeaders: ['etag', 'retry-after'],
    credentials: false,
    maxAge: PREFLIGHT_MAX_AGE_SECONDS,
    // A preflight from an origin that is not allowed gets the API's 404 (no CORS headers): the browser refuses the call.
    logLevel: 'warn',
  });
}
