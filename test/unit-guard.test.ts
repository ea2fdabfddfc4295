/**
 * The guard of the unit tests (test/support/unit-guard.ts), from inside one: this file is a unit
 * test by its imports, so it runs under the guard, and reaches Node's socket and process modules
 * in a way test-kinds.ts cannot read, as a careless test might.
 */
import type * as ChildProcess from 'node:child_process';
import type * as Net from 'node:net';
import { describe, expect, it } from 'vitest';

/** A specifier made at run time: invisible to a reading of the imports. */
const builtin = (name: string): Promise<unknown> => import(['node', name].join(':'));

describe('a unit test', () => {
  it('cannot listen on a port or open a connection', async () => {
    const net = (await builtin('net')) as typeof Net;
    expect(() => net.createServer().listen(0)).toThrow(/a unit test may not listen on a port/);
    expect(() => net.connect(1, '127.0.0.1')).toThrow(/a unit test may not open a socket/);
  });

  it('cannot start a process', async () => {
    const { spawn } = (await builtin('child_process')) as typeof ChildProcess;
    expect(() => spawn(process.execPath, ['--version'])).toThrow(/a unit test may not start a process/);
  });
});
