/**
 * Builds the web chat page (web/src) into web/dist with esbuild: one ES module bundle with the
 * SDK and MQTT.js's browser build, its CSS, and index.html. Nothing generated is committed:
 * `npm start`, `npm run api` and the test run build it first (`prestart`, `preapi`, vitest's
 * global setup), and only when a source is newer than the last build.
 *
 * `npm run build:web [-- --force]`
 */
import { copyFile, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const WEB_DIST = join(ROOT, 'web/dist');
const STAMP = join(WEB_DIST, '.built');
/** What the bundle is made of: the page, the SDK and the protocol package (sources, via the mqtt-chat-source condition). */
const INPUTS = ['web/src', 'web/index.html', 'sdk/src', 'protocol/src', 'protocol/generated', 'package-lock.json'];

async function newestMtimeMs(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path, { withFileTypes: true, recursive: true });
  const times = await Promise.all(entries.filter((e) => e.isFile()).map(async (e) => (await stat(join(e.parentPath, e.name))).mtimeMs));
  return Math.max(info.mtimeMs, ...times);
}

export async function isWebBuildStale(): Promise<boolean> {
  const built = (await stat(STAMP).catch(() => undefined))?.mtimeMs ?? 0;
  const inputs = await Promise.all(INPUTS.map((input) => newestMtimeMs(join(ROOT, input))));
  return Math.max(...inputs) > built;
}

export async function buildWeb(): Promise<void> {
  await mkdir(WEB_DIST, { recursive: true });
  await build({
    entryPoints: { app: join(ROOT, 'web/src/main.tsx') },
    outdir: WEB_DIST,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    conditions: ['mqtt-chat-source'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  await copyFile(join(ROOT, 'web/index.html'), join(WEB_DIST, 'index.html'));
  await writeFile(STAMP, `${new Date().toISOString()}\n`);
}

/** Builds unless the last build is newer than every source; true when it built. */
export async function buildWebIfStale(): Promise<boolean> {
  if (!(await isWebBuildStale())) return false;
  await buildWeb();
  return true;
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const force = process.argv.includes('--force');
  const started = performance.now();
  const built = force ? (await buildWeb(), true) : await buildWebIfStale();
  process.stdout.write(
    built ? `web page built into web/dist in ${Math.round(performance.now() - started)} ms\n` : 'web page up to date (web/dist)\n',
  );
}
