import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiDeps, HealthCheck } from '../deps.js';
import { errorResponses } from '../error-responses.js';

const DEFAULT_HEALTH_CHECK_TIMEOUT_MS = 1000;

const HealthView = Type.Object({
  status: Type.Enum(['ok', 'degraded', 'unavailable']),
  checks: Type.Record(Type.String(), Type.Boolean()),
});

type Health = { status: 'ok' | 'degraded' | 'unavailable'; checks: Record<string, boolean> };

/**
 * Health and Prometheus metrics. /healthz names every part and whether it answered within the
 * check timeout (a hung database must not hang the health check): 200 "ok" when all did, 200
 * "degraded" when only a non-critical part is down (Redis: this node still serves its own
 * clients), 503 "unavailable" when the database or the broker is down. Each evaluation also sets
 * the chat_dependency_up gauge, and a /metrics scrape evaluates first.
 */
export const opsRoutes: FastifyPluginAsyncTypebox<{ deps: ApiDeps }> = async (app, { deps }) => {
  const checks: Record<string, HealthCheck> = {
    database: { check: async () => (await deps.db.query('SELECT 1 AS ok')).rows.length === 1, critical: true },
    ...deps.health,
  };
  const timeoutMs = deps.healthCheckTimeoutMs ?? DEFAULT_HEALTH_CHECK_TIMEOUT_MS;

  async function evaluate(): Promise<Health> {
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, { check }]) => [name, await withinTimeout(check, timeoutMs)] as const),
    );
    for (const [name, up] of results) deps.metrics.dependencyUp.set({ dependency: name }, up ? 1 : 0);
    const isDown = (name: string) => results.some(([n, up]) => n === name && !up);
    const down = Object.keys(checks).filter(isDown);
    const status = down.some((name) => checks[name]!.critical) ? 'unavailable' : down.length > 0 ? 'degraded' : 'ok';
    return { status, checks: Object.fromEntries(results) };
  }

  app.get(
    '/healthz',
    {
      schema: {
        tags: ['ops'],
        summary: 'Health of every part: 200 ok or degraded (a non-critical part is down), 503 unavailable',
        response: { 200: HealthView, 503: HealthView, ...errorResponses('ERR_INTERNAL') },
      },
    },
    async (_request, reply) => {
      const health = await evaluate();
      return reply.code(health.status === 'unavailable' ? 503 : 200).send(health);
    },
  );

  const metricsSchema = {
    tags: ['ops'],
    summary: 'Prometheus text exposition',
    response: {
      200: { description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: Type.String() } } },
      ...errorResponses('ERR_INTERNAL'),
    },
  };
  app.get('/metrics', { schema: metricsSchema }, async (_request, reply) => {
    await evaluate();
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
};

/** True when `check` answers true within `timeoutMs`; a throw, false or no answer in time is false. */
async function withinTimeout(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([Promise.resolve().then(check), late]).catch(() => false);
  } finally {
    clearTimeout(timer);
  }
}
