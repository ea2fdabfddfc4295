/** docs/errors.md is what client developers read: it must list exactly the codes the code uses. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { API_ERRORS } from '../../api/errors.js';
import { NackReason } from '../../schema/index.js';

const doc = await readFile(new URL('../../docs/errors.md', import.meta.url), 'utf8');

describe('docs/errors.md', () => {
  it('has one row per REST error code, with the same status and meaning as api/errors.ts', () => {
    const rows = [...doc.matchAll(/^\| `(ERR_[A-Z_]+)` +\| (\d{3}) +\| (.+?) +\|$/gm)].map(([, code, status, meaning]) => [
      code,
      Number(status),
      meaning,
    ]);
    const catalogue = Object.entries(API_ERRORS).map(([code, { status, description }]) => [code, status, description]);
    expect(rows).toEqual(catalogue);
  });

  it('explains every Nack reason the platform can send', () => {
    const reasons = Object.keys(NackReason).filter((name) => Number.isNaN(Number(name)) && name !== 'NACK_REASON_UNSPECIFIED');
    const documented = [...doc.matchAll(/^\| `(NACK_REASON_[A-Z_]+)` +\|/gm)].map(([, reason]) => reason);
    expect(documented).toEqual(reasons);
  });
});
