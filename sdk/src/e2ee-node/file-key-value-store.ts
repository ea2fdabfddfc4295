/**
 * A `KeyValueStore` on the file system, for Node apps and tests: one file per key in a directory
 * (the key hex-encoded into the name), written to a temporary file and renamed over the old one, so
 * a crash leaves each key's old or new value, never a torn one. Reads come from memory (everything
 * is loaded at open; a device's store is small: about a megabyte with 100 Kyber prekeys); writes
 * are held until `flush()`, which the SDK calls before anything that relies on them leaves the
 * device.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyValueStore } from '../e2ee/stores.js';

const SUFFIX = '.bin';

export async function createFileKeyValueStore(directory: string): Promise<KeyValueStore> {
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const values = new Map<string, Uint8Array>();
  for (const name of await readdir(directory)) {
    if (!name.endsWith(SUFFIX)) continue; // a temporary file of an interrupted write
    values.set(Buffer.from(name.slice(0, -SUFFIX.length), 'hex').toString('utf8'), new Uint8Array(await readFile(join(directory, name))));
  }
  /** Keys changed since the last flush: their value, or undefined for a deletion. */
  const dirty = new Map<string, Uint8Array | undefined>();
  let flushing: Promise<void> = Promise.resolve();
  const fileOf = (key: string) => join(directory, Buffer.from(key, 'utf8').toString('hex') + SUFFIX);

  async function write(changes: Map<string, Uint8Array | undefined>): Promise<void> {
    for (const [key, value] of changes) {
      const file = fileOf(key);
      if (value === undefined) {
        await rm(file, { force: true });
        continue;
      }
      const temporary = `${file}.tmp`;
      await writeFile(temporary, value, { mode: 0o600 });
      await rename(temporary, file);
    }
  }

  return {
    get: (key) => Promise.resolve(values.get(key)),
    async set(key, value) {
      values.set(key, value);
      dirty.set(key, value);
    },
    async delete(key) {
      values.delete(key);
      dirty.set(key, undefined);
    },
    keys: (prefix) => Promise.resolve([...values.keys()].filter((key) => key.startsWith(prefix))),
    flush() {
      const changes = new Map(dirty);
      dirty.clear();
      // Flushes run one after another, so a later value of a key is never overwritten by an earlier one.
      flushing = flushing.catch(() => undefined).then(() => write(changes));
      return flushing;
    },
  };
}
