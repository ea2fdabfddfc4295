import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiDeps } from '../deps.js';
import { errorResponses } from '../error-responses.js';
import { apiError } from '../errors.js';

export const WEB_APP_PATH = '/app/';

/**
 * The web chat page at /app/: the static files of its build (web/dist, made by
 * `npm run build:web`), and /app/config.json, which tells the page what this server offers. The
 * page talks to the API and to MQTT over WebSocket (/mqtt) on this same origin.
 */
export const webAppRoutes: FastifyPluginAsyncTypebox<{ deps: ApiDeps; webRoot: string }> = async (app, { deps, webRoot }) => {
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect(WEB_APP_PATH));
  app.get('/app', { schema: { hide: true } }, async (_request, reply) => reply.redirect(WEB_APP_PATH));
  app.get(
    '/app/config.json',
    {
      schema: {
        tags: ['web'],
        summary: 'What the web page may offer: the development sign-in form or not',
        response: { 200: Type.Object({ devSignIn: Type.Boolean() }), ...errorResponses('ERR_RATE_LIMITED', 'ERR_INTERNAL') },
      },
    },
    async () => ({ devSignIn: deps.devSignIn }),
  );
  if (!existsSync(join(webRoot, 'index.html'))) {
    app.get('/app/*', { schema: { hide: true } }, async () => {
      throw apiError('ERR_WEB_APP_NOT_BUILT');
    });
    return;
  }
  // index.html and the bundle are revalidated on every load (ETag), so a rebuilt page is never stale.
  await app.register(fastifyStatic, { root: webRoot, prefix: WEB_APP_PATH, index: 'index.html', maxAge: 0 });
};
