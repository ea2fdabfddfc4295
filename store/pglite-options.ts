/**
 * How PGlite is opened, the same in the worker thread (pglite-worker-thread.ts) and in the
 * one-off process that creates a data directory (pglite-initdb.ts).
 */
import { PGlite, types, type PGliteOptions } from '@electric-sql/pglite';

/**
 * Postgres settings of the embedded database, on top of PGlite's own. PGlite's default
 * shared_buffers (160 MB) is written in full at start-up (WASM memory is set up where Postgres
 * initialises its buffer pool), so it was resident from the first second. The chat tables'
 * working set (the newest messages and their index pages, rooms, members) fits in far less; a
 * page outside it is read from the data directory's files through the OS page cache.
 */
export const PGLITE_SETTINGS: Readonly<Record<string, string>> = { shared_buffers: '32MB' };

/**
 * bytea to and from Postgres's hex text with Node's codec. PGlite's own builds a string per byte
 * (serialize) and parses two characters at a time (parse). Each parsed value owns its
 * ArrayBuffer exactly, so the worker can transfer it to the platform's thread rather than copy it.
 */
export function serializeBytea(value: unknown): string {
  if (!(value instanceof Uint8Array)) throw new TypeError('Invalid input for bytea type');
  return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
}

export function parseBytea(text: string): Uint8Array {
  const bytes = new Uint8Array((text.length - 2) / 2);
  Buffer.from(bytes.buffer).write(text.slice(2), 'hex');
  return bytes;
}

/** PGlite's options for `dataDir` (undefined: in memory), its start parameters with `settings` appended (a later `-c` wins). */
export function pgliteOptions(dataDir: string | undefined, settings: Readonly<Record<string, string>>): PGliteOptions {
  return {
    ...(dataDir === undefined ? {} : { dataDir }),
    startParams: [...PGlite.defaultStartParams, ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])],
    parsers: { [types.BYTEA]: parseBytea },
    serializers: { [types.BYTEA]: serializeBytea },
  };
}
