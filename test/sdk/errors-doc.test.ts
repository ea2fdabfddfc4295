import { readFile } from 'node:fs/promises';
import { SDK_ERRORS } from '@mqtt-chat/sdk';
import { describe, expect, it } from 'vitest';

describe('SDK error catalogue', () => {
  it('documents every SdkError code in sdk/README.md, and no other', async () => {
    const readme = await readFile(new URL('../../sdk/README.md', import.meta.url), 'utf8');
    const documented = [...readme.matchAll(/^\| `(ERR_SDK_[A-Z0-9_]+)`/gm)].map(([, code]) => code);
    expect(documented.sort()).toEqual(Object.keys(SDK_ERRORS).sort());
  });
});
