/**
 * `npm run build` makes JavaScript that runs under plain node, as the production image runs it
 * (Dockerfile: `node dist/platform/main.js`): built once here, started without tsx, healthy at
 * /healthz with process metrics at /metrics, and out with exit code 0 on SIGTERM. The compiled
 * output imports no development dependency (the image installs production ones only).
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM_READY, spawnEntryPoint, type EntryProcess } from '../../devtools/index.js';
import { exportedNames } from '../support/prometheus.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const COMPILED_MAIN = 'dist/platform/main.js';
/** Far above a clean shutdown of an idle platform on embedded PGlite. */
const EXIT_LIMIT_MS = 20_000;

/** The packages a compiled module imports (bare specifiers; relative and node: ones left out). */
function importedPackages(source: string): string[] {
  const specifiers = [
    ...source.matchAll(/(?:^|\s)(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)|^import\s+'([^']+)'/gm),
  ].map((match) => match[1] ?? match[2] ?? match[3] ?? '');
  return specifiers
    .filter((spec) => spec !== '' && !spec.startsWith('.') && !spec.startsWith('node:') && !builtinModules.includes(spec))
    .map((spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!));
}

describe('the compiled platform', () => {
  let platform: EntryProcess;
  let dataDir: string;
  let apiUrl: string;

  beforeAll(async () => {
    await promisify(execFile)('npm', ['run', 'build'], { cwd: ROOT, timeout: 240_000 });
    dataDir = await mkdtemp(join(tmpdir(), 'chat-compiled-'));
    // Nothing inherited may load tsx into it: NODE_OPTIONS is left out.
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'NODE_OPTIONS'));
    platform = await spawnEntryPoint(COMPILED_MAIN, {
      loader: 'none',
      env: { ...env, MQTT_PORT: '0', WS_PORT: '0', API_PORT: '0', LOG_LEVEL: 'warn', DATA_DIR: dataDir },
      ready: PLATFORM_READY,
    });
    apiUrl = platform.found['apiUrl']!;
  }, 300_000);

  afterAll(async () => {
    await platform?.stop('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  /**
   * Imports that compiled code holds but never reaches: store/pglite-script.js bundles PGlite's
   * worker with esbuild only when it runs from TypeScript sources (its URL ends in `.ts`); compiled,
   * it starts the `.js` files next to it. The healthz test below runs that compiled path.
   */
  const UNREACHED_FROM_COMPILED = new Set(['store/pglite-script.js: esbuild']);

  it('imports no development dependency', async () => {
    const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    const files = (await readdir(join(ROOT, 'dist'), { recursive: true })).filter((file) => file.endsWith('.js'));
    expect(files).toContain('platform/main.js');
    const offending: string[] = [];
    for (const file of files) {
      for (const pkg of importedPackages(await readFile(join(ROOT, 'dist', file), 'utf8')))
        if (pkg in manifest.devDependencies && !UNREACHED_FROM_COMPILED.has(`${file}: ${pkg}`)) offending.push(`${file}: ${pkg}`);
    }
    expect(offending).toEqual([]);
  });

  it('answers /healthz and serves process metrics under plain node', async () => {
    const health = await fetch(`${apiUrl}/healthz`);
    expect([health.status, ((await health.json()) as { status: string }).status]).toEqual([200, 'ok']);
    const names = exportedNames(await (await fetch(`${apiUrl}/metrics`)).text());
    for (const name of ['process_cpu_user_seconds_total', 'nodejs_eventloop_lag_p99_seconds', 'chat_push_backlog', 'chat_deliveries_total'])
      expect(names).toContain(name);
    // Under plain node: no tsx loader in the process.
    expect(platform.child.spawnargs.slice(1)).toEqual([COMPILED_MAIN]);
  });

  it('exits cleanly (code 0) on SIGTERM', async () => {
    const exited = once(platform.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const started = Date.now();
    platform.child.kill('SIGTERM');
    const [code, signal] = await exited;
    expect([code, signal]).toEqual([0, null]);
    expect(Date.now() - started).toBeLessThan(EXIT_LIMIT_MS);
  });
});
