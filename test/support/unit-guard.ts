/**
 * Loaded before every unit test file (vitest.config.ts, project `unit`): a unit test that opens a
 * socket, starts a process or boots PGlite fails at once, saying what it did, instead of slowly
 * turning the inner loop into the full suite. test-kinds.ts decides which files are unit tests by
 * their imports; this catches what reading imports cannot see (a dynamic import, a helper that
 * takes a socket as an argument). Such a test belongs with the integration tests: import the
 * I/O where test-kinds.ts can see it, or take the I/O out of the test.
 */
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';

const refuse = (what: string) => (): never => {
  throw new Error(`a unit test may not ${what}: see test/support/unit-guard.ts`);
};

net.Socket.prototype.connect = refuse('open a socket (net, tls, http, MQTT, PostgreSQL, Redis)');
net.Server.prototype.listen = refuse('listen on a port');
const processes = childProcess as unknown as Record<string, unknown>; // the module's own object: its functions are replaced in place
for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'])
  processes[name] = refuse('start a process');
// ESM importers of node:child_process see the replacements too.
syncBuiltinESMExports();
// PGlite boots by instantiating its WebAssembly build. Node's own HTTP client instantiates one
// too, lazily, so the caller is told apart by its stack.
const fromPglite = (): boolean => new Error().stack?.includes('@electric-sql/pglite') === true;
type Instantiate = (...args: unknown[]) => Promise<unknown>;
// Node's types declare WebAssembly's types but not the global object itself.
const wasm = (globalThis as unknown as { WebAssembly: Record<'instantiate' | 'instantiateStreaming', Instantiate> }).WebAssembly;
for (const name of ['instantiate', 'instantiateStreaming'] as const) {
  const original = wasm[name];
  wasm[name] = (...args) => (fromPglite() ? refuse('boot PGlite')() : original(...args));
}
