/**
 * The dependency direction of docs/architecture.md#parts-and-dependency-direction: `schema` and
 * `lib` import nothing else from the repo; services meet only through schema, lib and the shared
 * store; `main.ts` files are composition roots and may wire anything. The wire protocol
 * (`protocol/`, @mqtt-chat/protocol) and the SDK (`sdk/`, @mqtt-chat/sdk) are published packages:
 * they import nothing from the server, only the npm packages their package.json declares; the
 * server reaches the protocol through `schema/` and never imports the SDK; the simulator uses the
 * SDK as an app would.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Folder → the top-level folders its relative imports may reach. */
const ALLOWED: Record<string, string[]> = {
  lib: ['lib'],
  protocol: ['protocol'],
  schema: ['schema'],
  store: ['store', 'schema', 'lib'],
  broker: ['broker', 'schema', 'lib'],
  bridge: ['bridge', 'schema', 'store', 'lib'],
  api: ['api', 'schema', 'store', 'lib'],
  push: ['push', 'schema', 'store', 'lib'],
  sdk: ['sdk'],
  'mobile-sim': ['mobile-sim'],
  platform: ['platform', 'api', 'bridge', 'broker', 'push', 'store', 'schema', 'lib'],
  // The admin CLI talks to the platform over REST and MQTT only: it shares the wire contract, not the server.
  cli: ['cli', 'schema', 'lib'],
};

/** Folder → the workspace packages it may import (by package name). */
const WORKSPACE_PACKAGES = ['@mqtt-chat/protocol', '@mqtt-chat/sdk'];
const ALLOWED_WORKSPACE: Record<string, string[]> = {
  schema: ['@mqtt-chat/protocol'],
  sdk: ['@mqtt-chat/protocol'],
  'mobile-sim': ['@mqtt-chat/sdk', '@mqtt-chat/protocol'],
};

/** The published packages: every npm package their sources import is a dependency in their package.json. */
const PUBLISHED = ['protocol', 'sdk'];

async function sourceFiles(folder: string): Promise<string[]> {
  const entries = await readdir(join(ROOT, folder), { withFileTypes: true, recursive: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)))
    .filter((file) => !file.split('/').some((part) => part === 'dist' || part === 'node_modules'));
}

async function specifiers(file: string): Promise<string[]> {
  const text = await readFile(join(ROOT, file), 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)[^'"]*from\s+'([^']+)'/gm)].map(([, spec]) => spec!);
}

async function repoImports(file: string): Promise<string[]> {
  return (await specifiers(file))
    .filter((spec) => spec.startsWith('./') || spec.startsWith('../'))
    .map((spec) => relative(ROOT, resolve(dirname(join(ROOT, file)), spec)));
}

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`; relative imports are left out. */
async function packageImports(file: string): Promise<string[]> {
  return (await specifiers(file))
    .filter((spec) => !spec.startsWith('.'))
    .map((spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!));
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

    const workspace = ALLOWED_WORKSPACE[folder] ?? [];
    it(`${folder}/ imports ${workspace.length === 0 ? 'no workspace package' : `of the workspace packages only ${workspace.join(', ')}`}`, async () => {
      const violations: string[] = [];
      for (const file of await sourceFiles(folder)) {
        for (const name of await packageImports(file)) {
          if (WORKSPACE_PACKAGES.includes(name) && !workspace.includes(name)) violations.push(`${file} -> ${name}`);
        }
      }
      expect(violations).toEqual([]);
    });
  }

  for (const folder of PUBLISHED) {
    it(`${folder}/ imports only npm packages its package.json depends on`, async () => {
      const manifest = JSON.parse(await readFile(join(ROOT, folder, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
      const declared = Object.keys(manifest.dependencies ?? {});
      const undeclared: string[] = [];
      for (const file of await sourceFiles(folder)) {
        for (const name of await packageImports(file)) if (!declared.includes(name)) undeclared.push(`${file} -> ${name}`);
      }
      expect(undeclared).toEqual([]);
    });
  }
});
