/**
 * Checks on every request, for every route present and future, instead of a pattern per field:
 * - every text it carries (JSON body, query, path) must be storable as PostgreSQL text: a NUL
 *   or a lone surrogate anywhere is a 400 naming where, before any route or the database sees it;
 * - every number coerced from the query or path must be finite: Ajv coerces "1e400" to Infinity
 *   and then skips its minimum/maximum checks (they test finite numbers only), so without this a
 *   bounded integer could reach the database as Infinity.
 */
import type { FastifyInstance } from 'fastify';
import { findUnstorableText } from '../lib/storable-text.js';
import { apiError } from './errors.js';

export function registerInputGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    for (const [part, value] of [
      ['body', request.body],
      ['query', request.query],
      ['params', request.params],
    ] as const) {
      const found = findUnstorableText(value);
      if (found !== undefined)
        throw apiError('ERR_REQUEST_INVALID', `${part}.${found.path} ${found.problem}`, { field: `${part}.${found.path}` });
    }
  });

  app.addHook('preHandler', async (request) => {
    for (const [part, value] of [
      ['query', request.query],
      ['params', request.params],
    ] as const) {
      if (typeof value !== 'object' || value === null) continue;
      for (const [name, item] of Object.entries(value)) {
        if (typeof item === 'number' && !Number.isFinite(item)) {
          throw apiError('ERR_REQUEST_INVALID', `${part}.${name} must be a finite number`, { field: `${part}.${name}` });
        }
      }
    }
  });
}
