/**
 * The dependency direction of docs/architecture.md#parts-and-dependency-direction: `schema` and
 * `lib` import nothing else from the repo; services meet only through schema, lib and the shared
 * store; `platform/` (the composition roots and every process entry point) alone wires them
 * together, and nothing imports it. `devtools/` (tests, benchmarks, the simulator) imports nothing
 * and no product folder imports it; `push-stubs/` is development infrastructure the embedded
 * default starts, so only `platform/` may reach it. The wire protocol
 * (`protocol/`, @mqtt-chat/protocol) and the SDK (`sdk/`, @mqtt-chat/sdk) are published packages:
 * they import nothing from the server, only the npm packages their package.json declares; the
 * server reaches the protocol through `schema/` and never imports the SDK; the simulator uses the
 * SDK as an app would. `cli/` (chatctl) is an entry point at the top too, but reaches the platform
 * over the wire only.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENTRY_POINTS } from '../devtools/index.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Folder → the top-level folders its relative imports may reach. */
const ALLOWED: Record<string, string[]> = {
  lib: ['lib'],
  protocol: ['protocol'],
  schema: ['schema'],
  store: ['store', 'schema', 'lib'],
  // Who may connect and use which topic, as pure decisions: the embedded broker and the API's endpoints for an external broker share them.
  access: ['access', 'schema', 'lib'],
  broker: ['broker', 'access', 'schema', 'lib'],
  bridge: ['bridge', 'schema', 'store', 'lib'],
  api: ['api', 'access', 'schema', 'store', 'lib'],
  push: ['push', 'schema', 'store', 'lib'],
  'push-stubs': ['push-stubs', 'push', 'lib'],
  devtools: ['devtools'],
  sdk: ['sdk'],
  'mobile-sim': ['mobile-sim', 'devtools'],
  // The web page is an app like any other: the SDK and nothing of the server.
  web: ['web'],
  platform: ['platform', 'access', 'api', 'bridge', 'broker', 'push', 'push-stubs', 'store', 'schema', 'lib'],
  // chatctl, the admin CLI, is an entry point of its own at the top beside platform/ (nothing imports it); it talks to
  // the platform over REST and MQTT only: it shares the wire contract and lib/, not the server.
  cli: ['cli', 'schema', 'lib'],
};

/** Folder → the workspace packages it may import (by package name). */
const WORKSPACE_PACKAGES = ['@mqtt-chat/protocol', '@mqtt-chat/sdk'];
const ALLOWED_WORKSPACE: Record<string, string[]> = {
  schema: ['@mqtt-chat/protocol'],
  sdk: ['@mqtt-chat/protocol'],
  'mobile-sim': ['@mqtt-chat/sdk', '@mqtt-chat/protocol'],
  web: ['@mqtt-chat/sdk'],
};

/** The published packages: every npm package their sources import is a dependency in their package.json. */
const PUBLISHED = ['protocol', 'sdk'];

async function sourceFiles(folder: string): Promise<string[]> {
  const entries = await readdir(join(ROOT, folder), { withFileTypes: true, recursive: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts'))
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

/** The folders of the running product, below the composition root. */
const SERVICE_FOLDERS = ['lib', 'schema', 'access', 'store', 'broker', 'bridge', 'api', 'push', 'push-stubs'];

describe('architecture', () => {
  it('starts every process from platform/, the entry points package.json runs', async () => {
    const { scripts } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const SCRIPT_OF: Record<keyof typeof ENTRY_POINTS, string> = { platform: 'start', broker: 'broker', bridge: 'bridge', api: 'api' };
    for (const [part, file] of Object.entries(ENTRY_POINTS) as [keyof typeof ENTRY_POINTS, string][]) {
      expect(file.startsWith('platform/')).toBe(true);
      expect(scripts[SCRIPT_OF[part]]).toMatch(new RegExp(` ${file}$`));
    }
    const misplaced = (await Promise.all(SERVICE_FOLDERS.map(sourceFiles))).flat().filter((file) => /(^|[/-])main\.ts$/.test(file));
    expect(misplaced).toEqual([]);
  });

  for (const [folder, allowed] of Object.entries(ALLOWED)) {
    it(`${folder}/ imports only ${allowed.join(', ')}`, async () => {
      const violations: string[] = [];
      for (const file of await sourceFiles(folder)) {
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
      const manifest = JSON.parse(await readFile(join(ROOT, folder, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
        peerDependencies?: Record<string, string>;
      };
      // A peer dependency counts: the SDK's Node-only entry point imports libsignal, which the app installs.
      const declared = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})];
      const undeclared: string[] = [];
      for (const file of await sourceFiles(folder)) {
        // Node's built-in modules are no npm package (test/sdk/portability.test.ts keeps them out of the portable sources).
        for (const name of await packageImports(file))
          if (!declared.includes(name) && !name.startsWith('node:')) undeclared.push(`${file} -> ${name}`);
      }
      expect(undeclared).toEqual([]);
    });
  }
});
