/**
 * `npm run test:unit` picks its files by what they import (test/support/test-kinds.ts): these pin
 * the reading on a small tree of its own, and on files of this repository whose kind is known.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKinds } from './support/test-kinds.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

describe('which tests are unit tests', () => {
  let tree: string;
  beforeAll(async () => {
    tree = await mkdtemp(join(tmpdir(), 'test-kinds-'));
    const files: Record<string, string> = {
      'store/index.ts': "export { plan } from './plan.js';\nexport { openDb } from './open.js';\nexport type { Row } from './open.js';\n",
      'store/plan.ts': 'export const plan = (n: number) => n + 1;\n',
      'store/open.ts':
        "import { PGlite } from '@electric-sql/pglite';\nexport type Row = object;\nexport const openDb = () => new PGlite();\n",
      'test/pure.test.ts': "import { plan } from '../store/index.js';\nimport type { Row } from '../store/index.js';\n",
      'test/database.test.ts': "import { openDb, plan } from '../store/index.js';\n",
      'test/helper.ts': "import mqtt from 'mqtt';\nexport const connect = () => mqtt;\n",
      'test/via-helper.test.ts': "import { connect } from './helper.js';\n",
      // Split, or this file's own reading would find the import in the string.
      'test/dynamic.test.ts': 'const net = await import' + "('node:net');\n",
    };
    for (const [file, text] of Object.entries(files)) {
      await mkdir(dirname(join(tree, file)), { recursive: true });
      await writeFile(join(tree, file), text);
    }
  });
  afterAll(() => rm(tree, { recursive: true, force: true }));

  it('follows a re-export by name: a test taking only pure names from a door that also exports an adapter is a unit test', () => {
    const kinds = createTestKinds(tree);
    expect(kinds.ioChain('test/pure.test.ts')).toBeUndefined();
    expect(kinds.ioChain('test/database.test.ts')).toBe('test/database.test.ts -> store/index.ts -> store/open.ts -> @electric-sql/pglite');
  });

  it('follows test helpers and dynamic imports', () => {
    const kinds = createTestKinds(tree);
    expect(kinds.ioChain('test/via-helper.test.ts')).toBe('test/via-helper.test.ts -> test/helper.ts -> mqtt');
    expect(kinds.ioChain('test/dynamic.test.ts')).toBe('test/dynamic.test.ts -> node:net');
    expect(kinds.testFiles()).toEqual(['test/database.test.ts', 'test/dynamic.test.ts', 'test/pure.test.ts', 'test/via-helper.test.ts']);
  });

  it('counts the pure decisions of this repository as unit tests, and what starts the platform or a broker as integration', () => {
    const kinds = createTestKinds(ROOT);
    const known = {
      'test/broker/acl.test.ts': 'unit',
      'test/store/sequencing.test.ts': 'unit',
      'test/bridge/batcher.test.ts': 'unit',
      'test/lib/config.test.ts': 'unit',
      'test/e2e/crash.test.ts': 'integration',
      'test/broker/token-expiry.test.ts': 'integration',
      'test/store/pglite.test.ts': 'integration',
      'test/sdk/package.test.ts': 'integration',
    };
    const kindOf = (file: string) => (kinds.ioChain(file) === undefined ? 'unit' : 'integration');
    expect(Object.fromEntries(Object.keys(known).map((file) => [file, kindOf(file)]))).toEqual(known);
  });
});
