/**
 * CORS: a page on another origin may call the API only when CORS_ORIGINS lists it (or is `*`);
 * by default the API is same-origin only. Preflights are answered, never 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

const ALLOWED = 'https://chat.example.com';
const FOREIGN = 'https://evil.example.net';
const platforms: TestPlatform[] = [];
let sameOrigin: TestPlatform;
let listed: TestPlatform;
let any: TestPlatform;

beforeAll(async () => {
  const start = (env: Record<string, string>) => startTestPlatform({ database: 'pglite', brokerState: 'memory' }, env);
  [sameOrigin, listed, any] = await Promise.all([
    start({}),
    start({ CORS_ORIGINS: `${ALLOWED},http://localhost:5173` }),
    start({ CORS_ORIGINS: '*' }),
  ]);
  platforms.push(sameOrigin, listed, any);
});
afterAll(async () => Promise.all(platforms.map((p) => p.stop())));

const preflight = (platform: TestPlatform, origin: string) =>
  platform.api.inject({
    method: 'OPTIONS',
    url: '/v1/rooms',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
  });
const get = (platform: TestPlatform, origin: string) => platform.api.inject({ method: 'GET', url: '/healthz', headers: { origin } });

describe('CORS', () => {
  it('sends no CORS headers by default, preflights included: a foreign page cannot read any answer', async () => {
    const answer = await get(sameOrigin, ALLOWED);
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    const pre = await preflight(sameOrigin, ALLOWED);
    expect(pre.statusCode).toBe(404); // no preflight handling for a refused origin: the browser refuses the call
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    expect(pre.headers['access-control-allow-methods']).toBeUndefined();
  });

  it('answers a listed origin, preflight included, and not an unlisted one', async () => {
    const answer = await get(listed, ALLOWED);
    expect(answer.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(answer.headers.vary).toMatch(/origin/i);
    expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
    const pre = await preflight(listed, ALLOWED);
    expect(pre.statusCode).toBe(204);
    expect(pre.headers).toMatchObject({ 'access-control-allow-origin': ALLOWED, 'access-control-max-age': '600' });
    expect(String(pre.headers['access-control-allow-methods'])).toContain('POST');
    expect(String(pre.headers['access-control-allow-headers'])).toMatch(/authorization/);
    expect((await get(listed, 'http://localhost:5173')).headers['access-control-allow-origin']).toBe('http://localhost:5173');

    expect((await get(listed, FOREIGN)).headers['access-control-allow-origin']).toBeUndefined();
    const foreignPreflight = await preflight(listed, FOREIGN);
    expect(foreignPreflight.statusCode).toBe(404);
    expect(foreignPreflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers any origin with * only when CORS_ORIGINS is *, and exposes Retry-After and ETag to the page', async () => {
    const answer = await get(any, FOREIGN);
    expect(answer.headers['access-control-allow-origin']).toBe('*');
    expect(String(answer.headers['access-control-expose-headers'])).toMatch(/etag.*retry-after|retry-after.*etag/);
    expect((await preflight(any, FOREIGN)).headers['access-control-allow-origin']).toBe('*');
  });

  it('carries the CORS headers on an event stream too (written by hand, after the hooks)', async () => {
    const user = await listed.createUser('alice');
    const token = await listed.tokenFor(user, 'web');
    const abort = new AbortController();
    const response = await fetch(`${listed.endpoints.api}/v1/events`, {
      headers: { origin: ALLOWED, authorization: `Bearer ${token}` },
      signal: abort.signal,
    });
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    abort.abort();
  });
});
