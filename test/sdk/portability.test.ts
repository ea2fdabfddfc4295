/**
 * The SDK runs where a phone's or a browser's JavaScript runs, not only in Node: its sources use
 * no Node-only global and import no Node module, and it bundles for the browser (MQTT.js's
 * browser build, which speaks ws:// and wss://) with everything resolved.
 */
import { readdir, readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The sources shipped to phones and browsers: the SDK and the protocol package it imports. */
const PORTABLE_SOURCES = ['sdk/src', 'protocol/src'];
/** The Node-only entry point `@mqtt-chat/sdk/e2ee-node` (libsignal, a native module, and files): never in a browser bundle. */
const NODE_ONLY = 'sdk/src/e2ee-node/';

/** Node's globals that a browser or a phone's JS engine does not have. */
const NODE_GLOBALS = ['Buffer', 'process', 'global', '__dirname', '__filename', 'require', 'setImmediate', 'clearImmediate'];

async function sources(): Promise<{ file: string; code: string }[]> {
  const files: { file: string; code: string }[] = [];
  for (const folder of PORTABLE_SOURCES) {
    const entries = await readdir(join(ROOT, folder), { withFileTypes: true, recursive: true });
    for (const e of entries.filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))) {
      const path = join(e.parentPath, e.name);
      if (relative(ROOT, path).startsWith(NODE_ONLY)) continue;
      files.push({ file: relative(ROOT, path), code: withoutComments(await readFile(path, 'utf8')) });
    }
  }
  return files;
}

/** Comments may name Buffer (to say why it is not used); code may not. String contents are kept. */
function withoutComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

function importedModules(code: string): string[] {
  const specifiers = [
    ...code.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm),
    ...code.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm),
    ...code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ];
  return specifiers.map(([, spec]) => spec!);
}

const isNodeModule = (spec: string): boolean => spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0]!);

describe('SDK portability', () => {
  it('uses none of Node’s globals (Buffer, process, require, …) and imports no Node module', async () => {
    const violations: string[] = [];
    for (const { file, code } of await sources()) {
      for (const name of NODE_GLOBALS) {
        if (new RegExp(`(?<![.\\w$'"])${name}\\b(?!\\s*:)`).test(code)) violations.push(`${file} uses ${name}`);
      }
      for (const spec of importedModules(code)) if (isNodeModule(spec)) violations.push(`${file} imports ${spec}`);
    }
    expect(violations).toEqual([]);
  });

  it('would catch a use of Buffer or a node: import (the check itself)', () => {
    const code = withoutComments("// Buffer in a comment is fine\nimport { x } from 'node:events';\nconst b = Buffer.from([]);");
    expect([/(?<![.\w$'"])Buffer\b(?!\s*:)/.test(code), importedModules(code).filter(isNodeModule)]).toEqual([true, ['node:events']]);
  });

  it('bundles for the browser with MQTT.js’s browser build and nothing left unresolved', async () => {
    const result = await build({
      entryPoints: [join(ROOT, 'sdk/src/index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      // The workspace's protocol package from its sources, as in development (a consumer gets its dist/).
      conditions: ['mqtt-chat-source'],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((input) => input.endsWith('node_modules/mqtt/dist/mqtt.esm.js'))).toBe(true);
    expect(inputs.filter((input) => input.includes('node_modules/mqtt/build/'))).toEqual([]); // not the Node build
    expect(result.outputFiles[0]!.text).toContain('createChatClient');
    // End-to-end encryption is in the bundle (its port, stores, envelope); libsignal and the file store are not.
    expect(inputs.some((input) => input.endsWith('sdk/src/e2ee/engine.ts'))).toBe(true);
    expect(inputs.filter((input) => input.includes('@signalapp') || input.includes(NODE_ONLY))).toEqual([]);
  });

  it('keeps libsignal and Node modules to the Node-only entry point, which the portable sources never import', async () => {
    const reachingIn: string[] = [];
    for (const { file, code } of await sources()) {
      for (const spec of importedModules(code))
        if (spec.includes('e2ee-node') || spec.startsWith('@signalapp/')) reachingIn.push(`${file} -> ${spec}`);
    }
    expect(reachingIn).toEqual([]);
    const manifest = JSON.parse(await readFile(join(ROOT, 'sdk/package.json'), 'utf8')) as {
      exports: Record<string, Record<string, string>>;
      peerDependenciesMeta: Record<string, { optional: boolean }>;
    };
    expect(manifest.exports['./e2ee-node']?.['mqtt-chat-source']).toBe('./src/e2ee-node/index.ts');
    // A browser app installs the SDK without the native module.
    expect(manifest.peerDependenciesMeta['@signalapp/libsignal-client']?.optional).toBe(true);
  });
});
