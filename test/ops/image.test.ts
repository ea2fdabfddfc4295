/**
 * The production image's rules, read from the Dockerfile (Docker itself is not run here): a
 * multi-stage build whose runtime stage installs production dependencies only, runs the compiled
 * JavaScript with plain node (no tsx) under tini, as a non-root user, with a HEALTHCHECK on
 * /healthz. And docker-compose.yml: every service restarts, two platform nodes share PostgreSQL
 * and Redis, and every variable set for a platform node is one lib/config.ts reads.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigSchema } from '../../lib/config.js';

const ROOT = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, ROOT), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions with line continuations joined and comments dropped. */
function instructions(text: string): Instruction[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

/** The stages, each from its FROM to the next. */
function stages(all: Instruction[]): Instruction[][] {
  const result: Instruction[][] = [];
  for (const instruction of all) {
    if (instruction.keyword === 'FROM') result.push([]);
    result.at(-1)?.push(instruction);
  }
  return result;
}

/** An exec-form (JSON array) instruction's words, or the shell form as one word. */
const execWords = (args: string): string[] => (args.startsWith('[') ? (JSON.parse(args) as string[]) : [args]);

describe('the Dockerfile', () => {
  const all = instructions(read('Dockerfile'));
  const built = stages(all);
  const runtime = built.at(-1)!;
  const of = (stage: Instruction[], keyword: string) => stage.filter((instruction) => instruction.keyword === keyword);

  it('builds with tsc in a build stage and copies only its output into the runtime stage', () => {
    expect(built.length).toBeGreaterThanOrEqual(2);
    const build = built[0]!;
    expect(of(build, 'FROM')[0]!.args).toMatch(/^node:20\S* AS build$/i);
    expect(of(build, 'RUN').some((run) => /\bnpm run build\b/.test(run.args))).toBe(true);
    // `npm run build` is tsc (tsconfig.build.json) into dist/.
    expect(JSON.parse(read('package.json')).scripts.build).toContain('tsc -p tsconfig.build.json');
    expect(of(runtime, 'FROM')[0]!.args).toMatch(/^node:20/);
    expect(of(runtime, 'COPY').some((copy) => /--from=build \/app\/dist /.test(copy.args))).toBe(true);
    // No source or whole-context copy in the runtime stage: only manifests and build output.
    for (const copy of of(runtime, 'COPY')) expect(copy.args).not.toMatch(/^\.\s|^\. \./);
  });

  it('installs production dependencies only in the runtime stage', () => {
    const installs = of(runtime, 'RUN').filter((run) => /\bnpm (ci|install)\b/.test(run.args));
    expect(installs).toHaveLength(1);
    expect(installs[0]!.args).toMatch(/npm ci\b.*--omit=dev/);
  });

  it('runs as a non-root user', () => {
    const users = of(runtime, 'USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users.at(-1)!.args.split(':')[0]!;
    expect(['root', '0']).not.toContain(user);
  });

  it('checks health against /healthz', () => {
    const [healthcheck] = of(runtime, 'HEALTHCHECK');
    expect(healthcheck?.args).toMatch(/\bCMD\b.*\/healthz/);
  });

  it('runs the compiled platform with node under tini, never tsx', () => {
    const [entrypoint] = of(runtime, 'ENTRYPOINT');
    const [cmd] = of(runtime, 'CMD');
    expect(execWords(entrypoint!.args)).toEqual(['/usr/bin/tini', '--']);
    expect(of(runtime, 'RUN').some((run) => /apt-get install .*\btini\b/.test(run.args))).toBe(true);
    const words = execWords(cmd!.args);
    expect(words).toEqual(['node', 'dist/platform/main.js']);
    for (const instruction of [...of(runtime, 'CMD'), ...of(runtime, 'ENTRYPOINT'), ...of(runtime, 'HEALTHCHECK')])
      expect(instruction.args).not.toMatch(/\btsx\b/);
    // The compiled entry point comes from platform/main.ts.
    expect(existsSync(new URL('platform/main.ts', ROOT))).toBe(true);
  });

  it('is run-time independent of tsx: tsx is a development dependency', () => {
    const manifest = JSON.parse(read('package.json')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(manifest.dependencies).not.toHaveProperty('tsx');
    expect(manifest.devDependencies).toHaveProperty('tsx');
  });
});

interface ComposeService {
  build?: string;
  image?: string;
  restart?: string;
  environment?: Record<string, string>;
  depends_on?: Record<string, unknown>;
}

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
  const services = Object.entries(compose.services);
  const platformNodes = services.filter(([, service]) => service.build === '.');

  it('restarts every service', () => {
    for (const [name, service] of services)
      expect([name, service.restart]).toEqual([name, expect.stringMatching(/^(always|unless-stopped|on-failure)/)]);
  });

  it('runs two platform nodes on one PostgreSQL and one Redis', () => {
    expect(platformNodes.map(([name]) => name)).toHaveLength(2);
    const [first, second] = platformNodes.map(([, service]) => service.environment!);
    expect(first!['DATABASE_URL']).toMatch(/@postgres:5432\//);
    expect(first!['REDIS_URL']).toBe('redis://redis:6379');
    for (const shared of ['DATABASE_URL', 'REDIS_URL', 'JWT_SECRET', 'ADMIN_TOKEN']) expect(second![shared]).toBe(first![shared]);
    for (const [, service] of platformNodes) expect(Object.keys(service.depends_on ?? {}).sort()).toEqual(['postgres', 'redis']);
  });

  it('sets only variables the platform reads', () => {
    const known = new Set(Object.keys(ConfigSchema.properties));
    for (const [name, service] of platformNodes) {
      const unknown = Object.keys(service.environment ?? {}).filter((variable) => !known.has(variable));
      expect([name, unknown]).toEqual([name, []]);
    }
  });
});
