import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileKeyValueStore } from '@mqtt-chat/sdk/e2ee-node';
import { describeKeyValueStoreContract } from './key-value-store.contract.js';

const directories: string[] = [];
async function directory(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mqtt-chat-keys-'));
  directories.push(dir);
  return dir;
}
afterAll(async () => Promise.all(directories.map((d) => rm(d, { recursive: true, force: true }))));

describeKeyValueStoreContract('files', async () => {
  const dir = await directory();
  return { store: await createFileKeyValueStore(dir), reopen: () => createFileKeyValueStore(dir) };
});

describe('file key-value store', () => {
  it('writes nothing before flush, keeps its files private to the user, and ignores a torn temporary file', async () => {
    const dir = await directory();
    const store = await createFileKeyValueStore(dir);
    await store.set('session/alice.1', new Uint8Array([1]));
    expect(await readdir(dir)).toEqual([]);
    await store.flush();
    const [file] = await readdir(dir);
    expect(((await stat(join(dir, file!))).mode & 0o777).toString(8)).toBe('600');
    expect(((await stat(dir)).mode & 0o777).toString(8)).toBe('700');
    await writeFile(join(dir, `${file}.tmp`), 'half a write');
    const reopened = await createFileKeyValueStore(dir);
    expect(await reopened.keys('')).toEqual(['session/alice.1']);
  });
});
