/**
 * The files the compiled server reads at run time beside its JavaScript, copied into dist/ after
 * `tsc -p tsconfig.build.json` (tsc emits only what it compiles): the SQL migrations
 * (schema/migrations.ts looks beside itself) and the built web page (platform/web-root.ts looks
 * in ../web/dist from platform/). Part of `npm run build`.
 */
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const ASSETS = ['schema/migrations', 'web/dist'] as const;

for (const asset of ASSETS) {
  const target = join(ROOT, 'dist', asset);
  await rm(target, { recursive: true, force: true });
  await cp(join(ROOT, asset), target, { recursive: true });
}
