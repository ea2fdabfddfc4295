/**
 * The design documents under docs/ are cited from code comments, tests, the README and the
 * OpenAPI description as `docs/<file>.md#<anchor>`, the anchor being GitHub's slug of a heading.
 * These tests keep every such citation followable: the file exists and has that heading. They
 * also keep the documents' own links and the repository paths they name from going stale, and
 * refuse the old citations of design notes that were never part of the repository.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCANNED = /\.(ts|md|json|ya?ml|proto|sql|sh)$/;
/** `docs/durable-path.md#batching`, wherever it stands (a comment, a string, a Markdown link). */
const CITATION = /\bdocs\/([a-z0-9-]+\.md)#([a-z0-9-]+)/g;
/** Citations of documents that live outside the repository (and a bare file mention of them). */
const FOREIGN_CITATION = /\b(?:DESIGN|REFERENCE)(?:\s*§|\.md\b)/;

/** Tracked files; outside a git checkout (an unpacked tarball), every file but the ignored folders. */
function repositoryFiles(): string[] {
  try {
    return execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  } catch {
    const skipped = new Set(['node_modules', '.git', 'data', 'sim-output']);
    const walk = (dir: string): string[] =>
      readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
        const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
        if (entry.isDirectory()) return skipped.has(entry.name) ? [] : walk(path);
        return [path];
      });
    return walk('');
  }
}

/** GitHub's heading anchor: lowercase, punctuation dropped, each space a hyphen; repeats get -1, -2... */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const fenceMark = /^\s*(```|~~~)/.exec(line)?.[1];
    if (fenceMark !== undefined) {
      if (fence === undefined) fence = fenceMark;
      else if (fence === fenceMark) fence = undefined;
      continue;
    }
    const heading = fence === undefined ? /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line)?.[1] : undefined;
    if (heading === undefined) continue;
    const base = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

const files = repositoryFiles().filter((file) => SCANNED.test(file) && existsSync(join(ROOT, file)));
const tracked = new Set(repositoryFiles());
const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');
const docFiles = files.filter((file) => /^docs\/[^/]+\.md$/.test(file));
const anchorsOf = new Map(docFiles.map((file) => [file, headingAnchors(read(file))]));

/** Where each line of `text` matching `pattern` is, as `file:line: match`. */
function occurrences(file: string, text: string, pattern: RegExp): { at: string; match: RegExpMatchArray }[] {
  return text.split('\n').flatMap((line, i) =>
    [...line.matchAll(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`))].map((match) => ({
      at: `${file}:${i + 1}`,
      match,
    })),
  );
}

describe('citations of docs/', () => {
  it('finds the documents and their headings', () => {
    expect(docFiles).toContain('docs/architecture.md');
    expect(anchorsOf.get('docs/durable-path.md')).toContain('group-permission-race');
  });

  it('point at a document that exists and a heading it has', () => {
    const broken: string[] = [];
    let count = 0;
    for (const file of files) {
      for (const { at, match } of occurrences(file, read(file), CITATION)) {
        count += 1;
        const [citation, doc, anchor] = match;
        const anchors = anchorsOf.get(`docs/${doc!}`);
        if (anchors === undefined) broken.push(`${at}: ${citation} (no such document)`);
        else if (!anchors.has(anchor!)) broken.push(`${at}: ${citation} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
    expect(count).toBeGreaterThan(100); // the code does cite them: a broken pattern would find nothing
  });

  it('leave no citation of design notes kept outside the repository', () => {
    const foreign = files.flatMap((file) => occurrences(file, read(file), FOREIGN_CITATION).map(({ at, match }) => `${at}: ${match[0]}`));
    expect(foreign).toEqual([]);
  });
});

describe('links inside docs/', () => {
  it('reach an existing file, and a heading it has when the target is a document of docs/', () => {
    const broken: string[] = [];
    for (const file of docFiles) {
      for (const { at, match } of occurrences(file, read(file), /\]\(([^)\s]+)\)/)) {
        const target = match[1]!;
        if (/^[a-z]+:/.test(target)) continue; // https:, mailto:
        const [path = '', anchor] = target.split('#');
        const resolved = path === '' ? file : normalize(join('docs', path)).replaceAll('\\', '/');
        const isTracked = tracked.has(resolved) || [...tracked].some((f) => f.startsWith(`${resolved}/`));
        if (!isTracked) {
          broken.push(`${at}: ${target} (no such file)`);
          continue;
        }
        // Anchors elsewhere (the README) belong to sections other changes may be adding right now.
        const anchors = anchorsOf.get(resolved);
        if (anchor !== undefined && anchors !== undefined && !anchors.has(anchor)) broken.push(`${at}: ${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('name only repository paths that exist', () => {
    const topFolders = new Set([...tracked].filter((f) => f.includes('/')).map((f) => f.split('/')[0]!));
    const missing: string[] = [];
    for (const file of docFiles) {
      for (const { at, match } of occurrences(file, read(file), /`([a-z][\w.-]*\/[\w./-]*)`/)) {
        const path = match[1]!.replace(/\/$/, '');
        if (!topFolders.has(path.split('/')[0]!)) continue; // a topic, a URL path, a MIME type
        const exists = tracked.has(path) || (existsSync(join(ROOT, path)) && statSync(join(ROOT, path)).isDirectory());
        if (!exists) missing.push(`${at}: ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('headingAnchors', () => {
  it('slugs headings as GitHub does, ignoring fenced code', () => {
    const anchors = headingAnchors(
      [
        '# The durable path',
        '## Ack and Nack',
        '## At least once, never stale',
        '```',
        '# not a heading',
        '```',
        '## Steps',
        '## Steps',
      ].join('\n'),
    );
    expect([...anchors]).toEqual(['the-durable-path', 'ack-and-nack', 'at-least-once-never-stale', 'steps', 'steps-1']);
  });
});
