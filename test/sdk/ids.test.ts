import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createIdSource, formatUuid } from '../../sdk/src/ids.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('client message ids', () => {
  it('uses crypto.randomUUID where it exists', () => {
    const next = createIdSource(Math.random, { randomUUID: () => 'from-web-crypto' });
    expect(next()).toBe('from-web-crypto');
  });

  it('builds version-4 UUIDs from getRandomValues where randomUUID is missing (a plain-http page)', () => {
    const next = createIdSource(Math.random, { getRandomValues: (array) => array.fill(0xff) });
    expect(next()).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
  });

  it('falls back to the injected random without Web Crypto, and the ids differ', () => {
    const next = createIdSource(Math.random, undefined);
    const ids = new Set(Array.from({ length: 1000 }, next));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(UUID_V4);
  });

  it('formats any 16 bytes as a version-4, variant-1 UUID (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => UUID_V4.test(formatUuid(bytes))));
  });
});
