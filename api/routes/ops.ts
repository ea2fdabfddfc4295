import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiDeps } from '../deps.js';

const HealthView = Type.Object({ status: Type.Enum(['ok', 'degraded']), checks: Type.Record(Type.String(), Type.Boolean()) });

/** Health (200 when every part answers, 503 otherwise) and Prometheus metrics. */
export const opsRoutes: FastifyPluginAsyncTypebox<{ deps: ApiDeps }> = async (app, { deps }) => {
  const checks: Record<string, () => Promise<boolean>> = {
    database: async () => (await deps.db.query('SELECT 1 AS ok')).rows.length === 1,
    ...deps.health,
  };

  app.get(
    '/healthz',
    { schema: { tags: ['ops'], summary: 'Liveness and readiness of every part', response: { 200: HealthView, 503: HealthView } } },
    async (_request, reply) => {
      const results = Object.fromEntries(
        await Promise.all(Object.entries(checks).map(async ([name, check]) => [name, await check().catch(() => false)] as const)),
      );
      const healthy = Object.values(results).every(Boolean);
      return reply.code(healthy ? 200 : 503).send({ status: healthy ? 'ok' : 'degraded', checks: results });
    },
  );

  app.get('/metrics', { schema: { tags: ['ops'], summary: 'Prometheus text exposition', hide: false } }, async (_request, reply) => {
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
};
