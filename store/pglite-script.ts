/**
 * The JavaScript that runs PGlite outside the platform's thread: the worker thread's entry and
 * the data directory's initdb process. From compiled JavaScript, the files next to this one.
 * From TypeScript sources (tsx, vitest), each entry bundled to one ESM module with esbuild (the
 * compiler tsx itself runs on) and started without tsx: Node 20 does not pass tsx's loader on
 * to worker threads, and loading it there anyway (its loader thread, its esbuild service) cost
 * 60-110 MB of resident memory. PGlite stays an import by its absolute URL, loaded from
 * node_modules as usual.
 */
import { fileURLToPath } from 'node:url';

const ENTRIES = ['pglite-worker-thread', 'pglite-initdb'] as const;
export type PgliteEntry = (typeof ENTRIES)[number];

/** A file to run, or ESM source to run (`new Worker(data: URL)`, `node --input-type=module -e`). */
export type PgliteScript = { kind: 'file'; url: URL } | { kind: 'source'; code: string };

let bundles: Promise<Map<PgliteEntry, string>> | undefined;

export async function pgliteScript(entry: PgliteEntry): Promise<PgliteScript> {
  if (!import.meta.url.endsWith('.ts')) return { kind: 'file', url: new URL(`./${entry}.js`, import.meta.url) };
  bundles ??= bundleAll();
  return { kind: 'source', code: (await bundles).get(entry)! };
}

/** Both entries in one esbuild run, made once per process. */
async function bundleAll(): Promise<Map<PgliteEntry, string>> {
  const esbuild = await import('esbuild');
  const pgliteUrl = import.meta.resolve('@electric-sql/pglite');
  const building = esbuild.build({
    entryPoints: Object.fromEntries(ENTRIES.map((entry) => [entry, fileURLToPath(new URL(`./${entry}.ts`, import.meta.url))])),
    outdir: '/', // with write: false nothing is written; names the outputs `/<entry>.js`
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    plugins: [
      {
        name: 'pglite-by-url',
        setup: (build) => build.onResolve({ filter: /^@electric-sql\/pglite$/ }, () => ({ path: pgliteUrl, external: true })),
      },
    ],
  });
  // esbuild's service is a child process: ended once the bundles are made (it starts again if anything asks).
  const { outputFiles } = await building.finally(() => esbuild.stop());
  return new Map(ENTRIES.map((entry) => [entry, outputFiles.find((file) => file.path === `/${entry}.js`)!.text]));
}
