import { describe, expect, it } from 'vitest';
import { newId } from '../../lib/ids.js';
import { isValidId } from '../../schema/index.js';

describe('newId', () => {
  it('makes 16-character ids valid in every topic, none starting with "-" (a command line would read it as an option)', () => {
    // Before, 1 in 64 started with "-": among 20,000 ids about 310 did.
    const ids = Array.from({ length: 20_000 }, newId);
    expect(ids.filter((id) => id.startsWith('-'))).toEqual([]);
    expect(ids.every((id) => id.length === 16 && isValidId(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('still draws "-" in every other position, and "_" first', () => {
    const ids = Array.from({ length: 20_000 }, newId);
    expect(ids.some((id) => id.slice(1).includes('-'))).toBe(true);
    expect(ids.some((id) => id.startsWith('_'))).toBe(true);
  });
});
