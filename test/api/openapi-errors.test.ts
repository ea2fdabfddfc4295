/**
 * The OpenAPI document at /docs declares what each route can answer, errors included: every
 * error answer is the shared ErrorBody, every route declares the statuses any route of its kind
 * can give (a credential, input, a body, a path naming something), and every status a route
 * actually gave while probed with wrong credentials, wrong ids and empty bodies is declared.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let platform: TestPlatform;
/** The document's operations, as `METHOD path` → operation. */
let operations: Map<string, Operation>;

interface Operation {
  parameters?: { in: string; name: string }[];
  requestBody?: unknown;
  responses: Record<string, { description?: string; content?: { 'application/json'?: { schema?: { $ref?: string } } } }>;
}

/** Routes anyone may call: no credential, no rate limit. */
const OPEN_ROUTES = new Set(['GET /healthz', 'GET /metrics', 'GET /app/config.json', 'POST /v1/dev/signin']);
/** Routes whose path names a user but never say whether it exists: a caller who shares no room with it gets 403 either way. */
const EXISTENCE_HIDDEN = new Set(['POST /v1/users/{userId}/keys/claim', 'GET /v1/users/{userId}/devices']);

beforeAll(async () => {
  platform = await startTestPlatform({ database: 'pglite', brokerState: 'memory' });
  const doc = platform.api.swagger() as unknown as { paths: Record<string, Record<string, Operation>> };
  operations = new Map(
    Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => [`${method.toUpperCase()} ${path}`, operation] as const),
    ),
  );
});
afterAll(async () => platform?.stop());

const declared = (operation: Operation): Set<number> => new Set(Object.keys(operation.responses).map(Number));

describe('declared error answers', () => {
  it('covers the whole API', () => {
    expect(operations.size).toBeGreaterThan(25);
    expect(operations.has('DELETE /v1/admin/users/{userId}')).toBe(true);
  });

  it('describes every error answer with the shared ErrorBody, named after the codes it carries', () => {
    const bad: string[] = [];
    for (const [name, operation] of operations) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const isHealthAnswer = name === 'GET /healthz' && status === '503'; // the health view itself
        if (Number(status) < 400 || isHealthAnswer) continue;
        const ref = response.content?.['application/json']?.schema?.$ref;
        if (ref !== '#/components/schemas/ErrorBody' || !/^ERR_[A-Z_]+(, ERR_[A-Z_]+)*$/.test(response.description ?? '')) {
          bad.push(`${name} ${status}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it('declares, on every route, the statuses its kind of route can answer', () => {
    const missing: string[] = [];
    for (const [name, operation] of operations) {
      const params = operation.parameters ?? [];
      const expected = [500];
      if (!OPEN_ROUTES.has(name)) expected.push(401, 429, 503);
      if (params.length > 0 || operation.requestBody !== undefined) expected.push(400);
      if (operation.requestBody !== undefined) expected.push(413, 415);
      if (params.some((p) => p.in === 'path')) expect(name).toMatch(/\{/);
      // A device id in a path is the caller's own (403 otherwise), not something looked up.
      const namesSomething = params.some((p) => p.in === 'path' && p.name !== 'deviceId') && !EXISTENCE_HIDDEN.has(name);
      if (namesSomething) expected.push(404);
      const has = declared(operation);
      for (const status of expected) if (!has.has(status)) missing.push(`${name} ${status}`);
    }
    expect(missing).toEqual([]);
  });

  it('declares every status the routes answer when probed with wrong credentials, unknown ids and empty bodies', async () => {
    const userId = await platform.createUser('prober');
    const token = await platform.tokenFor(userId, 'phone');
    const room = await platform.createRoom([userId]);
    const credentials: Record<string, string | undefined> = {
      none: undefined,
      garbage: 'not-a-token',
      user: token,
      admin: platform.adminToken,
    };
    const undeclared: string[] = [];
    // The prober's deletion last: after it, its token is revoked and every user call would answer 401.
    const probeOrder = [...operations].sort(
      ([a], [b]) => Number(a === 'DELETE /v1/admin/users/{userId}') - Number(b === 'DELETE /v1/admin/users/{userId}'),
    );
    for (const [name, operation] of probeOrder) {
      const [method, template] = name.split(' ') as [string, string];
      for (const ids of [
        { id: 'nope', userId: 'nope', deviceId: 'nope' },
        { id: room.id, userId, deviceId: 'phone' },
      ]) {
        const url = template.replace(/\{(\w+)\}/g, (_, param: string) => ids[param as keyof typeof ids] ?? 'nope');
        for (const [who, credential] of Object.entries(credentials)) {
          // A user's event stream opens and stays open (its refusals are probed with the other credentials).
          if (name === 'GET /v1/events' && who === 'user') continue;
          const response = await platform.api.inject({
            method: method as 'GET',
            url,
            headers: credential === undefined ? {} : { authorization: `Bearer ${credential}` },
            ...(operation.requestBody === undefined ? {} : { payload: {} }),
          });
          if (!declared(operation).has(response.statusCode)) undeclared.push(`${name} as ${who} at ${url}: ${response.statusCode}`);
        }
      }
    }
    expect(undeclared).toEqual([]);
  });
});

describe('DELETE /v1/devices/{deviceId}/push', () => {
  it('is documented as the 204 it answers', async () => {
    const responses = operations.get('DELETE /v1/devices/{deviceId}/push')!.responses;
    expect(Object.keys(responses)).toContain('204');
    expect(Object.keys(responses)).not.toContain('200');
    const token = await platform.tokenFor(await platform.createUser('unregisters'), 'phone');
    const answer = await platform.as(token, 'DELETE', '/v1/devices/phone/push');
    expect(answer.status).toBe(204);
    expect(answer.json).toBe('');
  });
});
