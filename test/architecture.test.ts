/**
 * The dependency direction of docs/architecture.md#parts-and-dependency-direction: `schema` and
 * `lib` import nothing else from the repo; services meet only through schema, lib and the shared
 * store; `main.ts` files are composition roots and may wire anything; the SDK never imports server
 * code.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

const ALLOWED: Record<string, string[]> = {
  lib: ['lib'],
  schema: ['schema'],
  store: ['store', 'schema', 'lib'],
  broker: ['broker', 'schema', 'lib'],
  bridge: ['bridge', 'schema', 'store', 'lib'],
  api: ['api', 'schema', 'store', 'lib'],
  push: ['push', 'schema', 'store', 'lib'],
  'mobile-sim': ['mobile-sim', 'schema'],
  platform: ['platform', 'api', 'bridge', 'broker', 'push', 'store', 'schema', 'lib'],
};

async function sourceFiles(folder: string): Promise<string[]> {
  const entries = await readdir(join(ROOT, folder), { withFileTypes: true, recursive: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

async function repoImports(file: string): Promise<string[]> {
  const text = await readFile(join(ROOT, file), 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)[^'"]*from\s+'(\.{1,2}\/[^']+)'/gm)].map(([, spec]) =>
    relative(ROOT, resolve(dirname(join(ROOT, file)), spec!)),
  );
}

describe('architecture', () => {
  for (const [folder, allowed] of Object.entries(ALLOWED)) {
    it(`${folder}/ imports only ${allowed.join(', ')} (main.ts excepted)`, async () => {
      const violations: string[] = [];
      for (const file of await sourceFiles(folder)) {
        if (file.endsWith('/main.ts')) continue;
        for (const target of await repoImports(file)) {
          const top = target.split('/')[0]!;
          if (!allowed.includes(top)) violations.push(`${file} -> ${target}`);
        }
      }
      expect(violations).toEqual([]);
    });
  }
});
