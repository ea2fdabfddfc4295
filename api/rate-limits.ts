/**
 * Requests per caller and minute (@fastify/rate-limit, in this node's memory): each user
 * device and the admin credential have their own budget; a request without a valid credential
 * counts against its IP address. `/healthz` and `/metrics` are never limited (probes and
 * scrapers must see an overloaded node). Beyond the budget: 429 ERR_RATE_LIMITED with Retry-After.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { identifyCaller } from './caller.js';
import type { ApiDeps } from './deps.js';
import { apiError } from './errors.js';
import { BROKER_HOOK_PATHS } from './routes/broker-hooks.js';

const WINDOW_MS = 60_000;
/**
 * Probes and scrapers must see an overloaded node; an external broker calls /v1/broker/* once per
 * CONNECT, publish and subscribe of every device, all from its own few addresses (those routes
 * refuse any caller without BROKER_HOOK_TOKEN first).
 */
const UNLIMITED_ROUTES: ReadonlySet<string> = new Set(['/healthz', '/metrics', ...Object.values(BROKER_HOOK_PATHS)]);

/** The budget a request counts against: its caller's, or its address's when it has no valid credential. */
function callerKey(request: FastifyRequest, deps: Pick<ApiDeps, 'adminToken' | 'tokens'>): string {
  try {
    const caller = identifyCaller(request, deps);
    return caller.kind === 'admin' ? 'admin' : `device:${caller.userId}:${caller.deviceId}`;
  } catch {
    return `ip:${request.ip}`;
  }
}

export async function registerRateLimits(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    timeWindow: WINDOW_MS,
    keyGenerator: (request) => callerKey(request, deps),
    max: (_request, key) => (key === 'admin' ? deps.limits.adminRequestsPerMinute : deps.limits.requestsPerMinute),
    allowList: (request) => UNLIMITED_ROUTES.has(request.routeOptions.url ?? ''),
    errorResponseBuilder: (_request, context) =>
      apiError('ERR_RATE_LIMITED', `more than ${context.max} requests per minute`, { retryAfterMs: context.ttl }),
  });
}
