/**
 * Every REST call with a user token asks the deny list whether that token was revoked (401
 * ERR_AUTH_TOKEN_REVOKED), before its route runs. It asks the database each time, not a cache:
 * with several API nodes, one that revoked a token and another that has not heard of it yet
 * must not disagree. (The broker keeps the list in memory instead: a CONNECT storm must not wait
 * on the database; it hears of each revocation at once by a notice.) Calls without a valid
 * credential are left to their route, which refuses them with the usual code.
 */
import type { FastifyInstance } from 'fastify';
import { tokensNotBeforeMs } from '../store/index.js';
import { identifyCaller, type Caller } from './caller.js';
import type { ApiDeps } from './deps.js';
import { apiError } from './errors.js';

function userCaller(request: Parameters<typeof identifyCaller>[0], deps: ApiDeps): Extract<Caller, { kind: 'user' }> | undefined {
  try {
    const caller = identifyCaller(request, deps);
    return caller.kind === 'user' ? caller : undefined;
  } catch {
    return undefined;
  }
}

export function registerTokenRevocationCheck(app: FastifyInstance, deps: ApiDeps): void {
  app.addHook('onRequest', async (request) => {
    // Only the API's calls read a credential: /healthz, /metrics, /docs and the web page answer whatever header comes with them.
    if (!request.url.startsWith('/v1/')) return;
    const caller = userCaller(request, deps);
    if (caller === undefined) return;
    const notBeforeMs = await tokensNotBeforeMs(deps.db, caller.userId, caller.deviceId);
    if (caller.issuedAtMs < notBeforeMs) throw apiError('ERR_AUTH_TOKEN_REVOKED', undefined, { deviceId: caller.deviceId });
  });
}
