/**
 * Which test files are unit tests, decided by what they import, so no list has to be kept: a test
 * file is a unit test when nothing it imports, followed through the repository, reaches a module
 * that opens sockets, starts processes or runs a database (`IO_MODULES`). Re-exports are followed
 * by name, so a test that takes `planBatch` from `store/index.ts` is not charged with the PGlite
 * adapter the same door exports. `npm run test:unit` runs those (vitest.config.ts), under a guard
 * (unit-guard.ts) that fails a unit test which opens a socket, spawns a process or starts
 * PGlite anyway, so a dynamic import cannot slip past this reading.
 *
 * Imports are read as text (like test/architecture.test.ts): `import type` is skipped, and so
 * are imports of names a module does not re-export by name (`export *` is followed whole).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** npm packages and Node modules that mean sockets, processes or a database. */
const IO_MODULES =
  /^(?:node:)?(?:net|http|https|http2|tls|dgram|child_process|worker_threads|cluster)$|^(?:mqtt|pg|ioredis|@electric-sql\/pglite|aedes|ws|fastify|undici|esbuild)$/;

/** The workspace packages resolve to their sources, as under vitest's `mqtt-chat-source` condition. */
const WORKSPACE_SOURCES: Record<string, string> = { '@mqtt-chat/protocol': 'protocol/src/index.ts', '@mqtt-chat/sdk': 'sdk/src/index.ts' };

/**
 * A module's runtime dependencies: imports (the names taken; '*' for a namespace, a default or a
 * side effect), named re-exports (`export { a, b as c } from`: the names, as exported and as
 * taken) and `export * from`.
 */
type Edge =
  | { kind: 'import'; spec: string; names: readonly string[] | '*' }
  | { kind: 'reexport'; spec: string; names: ReadonlyMap<string, string> }
  | { kind: 'reexportAll'; spec: string };

const EDGE_PATTERN = /^\s*(import|export)\s+(?!type\b)([^'";]*?)\s*from\s+'([^']+)'|^\s*import\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/gm;

/** `a`, `b as c`, `type d` → [[exported, local]] without the type-only ones. */
const namesIn = (list: string): [string, string][] =>
  list
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0 && !part.startsWith('type '))
    .map((part) => {
      const [name = part, alias = name] = part.split(/\s+as\s+/);
      return [name, alias];
    });

function edgesOf(text: string): Edge[] {
  const edges: Edge[] = [];
  for (const [, keyword, clause = '', fromSpec, bareSpec, dynamicSpec] of text.matchAll(EDGE_PATTERN)) {
    const spec = fromSpec ?? bareSpec ?? dynamicSpec;
    if (spec === undefined) continue;
    const braces = /^\{([^}]*)\}$/.exec(clause);
    if (keyword === 'export') {
      edges.push(
        braces === null
          ? { kind: 'reexportAll', spec }
          : { kind: 'reexport', spec, names: new Map(namesIn(braces[1]!).map(([name, alias]) => [alias, name])) },
      );
    } else {
      edges.push({ kind: 'import', spec, names: braces === null ? '*' : namesIn(braces[1]!).map(([name]) => name) });
    }
  }
  return edges;
}

const packageOf = (spec: string): string => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);

export function createTestKinds(root: string) {
  const texts = new Map<string, string>();
  const read = (file: string): string => {
    let text = texts.get(file);
    if (text === undefined) texts.set(file, (text = readFileSync(join(root, file), 'utf8')));
    return text;
  };
  const resolveFile = (from: string, spec: string): string | undefined => {
    if (!spec.startsWith('.')) return WORKSPACE_SOURCES[packageOf(spec)];
    const file = relative(root, resolve(dirname(join(root, from)), spec)).replace(/\.js$/, '.ts');
    return existsSync(join(root, file)) ? file : undefined;
  };

  /** The chain from `file`, used for `names` ('*': all of it), to an I/O module; undefined when there is none. */
  function reachesIo(file: string, names: readonly string[] | '*', seen: Set<string>): string | undefined {
    const key = `${file}:${names === '*' ? '*' : [...names].sort().join(',')}`;
    if (seen.has(key)) return undefined;
    seen.add(key);
    const edges = edgesOf(read(file));
    const reExported = new Set(edges.flatMap((edge) => (edge.kind === 'reexport' ? [...edge.names.keys()] : [])));
    // A name defined here may use anything this module imports.
    const usesOwnCode = names === '*' || names.some((name) => !reExported.has(name));
    for (const edge of edges) {
      let wanted: readonly string[] | '*';
      if (edge.kind === 'reexport') {
        const taken = names === '*' ? [...edge.names.values()] : names.filter((n) => edge.names.has(n)).map((n) => edge.names.get(n)!);
        if (taken.length === 0) continue;
        wanted = taken;
      } else {
        if (!usesOwnCode) continue;
        wanted = edge.kind === 'import' ? edge.names : '*';
      }
      if (!edge.spec.startsWith('.') && IO_MODULES.test(packageOf(edge.spec))) return `${file} -> ${edge.spec}`;
      const target = resolveFile(file, edge.spec);
      const chain = target === undefined ? undefined : reachesIo(target, wanted, seen);
      if (chain !== undefined) return `${file} -> ${chain}`;
    }
    return undefined;
  }

  return {
    /** Every test file, relative to the root. */
    testFiles(): string[] {
      return readdirSync(join(root, 'test'), { recursive: true, encoding: 'utf8' })
        .filter((file) => file.endsWith('.test.ts'))
        .map((file) => `test/${file}`)
        .sort();
    },
    /** Why `file` is not a unit test (the import chain to an I/O module), or undefined when it is one. */
    ioChain: (file: string): string | undefined => reachesIo(file, '*', new Set()),
  };
}

/** The unit test files of the repository at `root`. */
export function unitTestFiles(root: string): string[] {
  const kinds = createTestKinds(root);
  return kinds.testFiles().filter((file) => kinds.ioChain(file) === undefined);
}
