/**
 * The SDK as an app developer gets it: `npm pack` of @mqtt-chat/protocol and @mqtt-chat/sdk
 * (which builds them), installed into a fresh project outside the repository, then the example
 * from sdk/README.md run under plain `node` (no tsx, no TypeScript) against a real platform, and
 * an app's TypeScript compiled against the published declarations, and the Node-only
 * `@mqtt-chat/sdk/e2ee-node` entry encrypting a chat with libsignal (the app installs it: an
 * optional peer dependency).
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Building, packing and installing (from npm's cache where it can) take seconds each on a loaded machine. */
const STEP_LIMIT_MS = 120_000;
const EXAMPLE_LIMIT_MS = 30_000;

let workDir: string;
let appDir: string;
let packed: { name: string; files: string[] }[];
let platform: TestPlatform;

/** Runs a command to its end; rejects with its output when it fails or outlives `limitMs`. */
function run(command: string, args: string[], cwd: string, limitMs: number, env: Record<string, string> = {}) {
  return new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    // Not the npm_* variables of an `npm test` that started us: they would point npm at this repository.
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')));
    const child = spawn(command, args, { cwd, env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`${command} ${args.join(' ')} ended with ${code ?? signal}:\n${stdout}\n${stderr}`));
    });
  });
}

/** The first ```js block of the SDK's README: the example this test runs, so the two cannot drift apart. */
async function readmeExample(): Promise<string> {
  const readme = await readFile(join(ROOT, 'sdk/README.md'), 'utf8');
  const example = /```js\n([\s\S]*?)```/.exec(readme)?.[1];
  if (example === undefined) throw new Error('sdk/README.md has no ```js example');
  return example;
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'mqtt-chat-sdk-'));
  appDir = join(workDir, 'app');
  const { stdout } = await run(
    'npm',
    ['pack', '--workspace', '@mqtt-chat/protocol', '--workspace', '@mqtt-chat/sdk', '--pack-destination', workDir, '--json'],
    ROOT,
    STEP_LIMIT_MS,
  );
  const answers = JSON.parse(stdout.slice(stdout.indexOf('['))) as { name: string; filename: string; files: { path: string }[] }[];
  packed = answers.map((a) => ({ name: a.name, files: a.files.map((f) => f.path) }));
  await mkdir(appDir);
  await writeFile(join(appDir, 'package.json'), JSON.stringify({ name: 'chat-app', private: true, type: 'module' }));
  const tarballs = answers.map((a) => join(workDir, a.filename));
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs], appDir, STEP_LIMIT_MS);
  platform = await startTestPlatform({ database: 'pglite', brokerState: 'memory' });
}, 3 * STEP_LIMIT_MS);

afterAll(async () => {
  await platform?.stop();
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
});

describe('the published SDK', () => {
  it('packs JavaScript, declarations and the README, nothing of the repository besides', () => {
    const sdk = packed.find((p) => p.name === '@mqtt-chat/sdk')!.files;
    const protocol = packed.find((p) => p.name === '@mqtt-chat/protocol')!.files;
    expect(sdk).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts', 'dist/chat-client.js']));
    expect(protocol).toEqual(expect.arrayContaining(['chat.proto', 'dist/index.js', 'dist/index.d.ts', 'generated/chat.js']));
    const outside = [...sdk, ...protocol].filter((path) => !/^(package\.json|README\.md|chat\.proto|(dist|src|generated)\/)/.test(path));
    expect(outside).toEqual([]);
  });

  it('runs the README example under plain node: alice sends, bob receives it once and reads it', async () => {
    const [aliceId, bobId] = [await platform.createUser('alice'), await platform.createUser('bob')];
    const room = await platform.createRoom([aliceId, bobId]);
    await writeFile(join(appDir, 'example.mjs'), await readmeExample());
    const { stdout } = await run(process.execPath, ['example.mjs'], appDir, EXAMPLE_LIMIT_MS, {
      MQTT_URL: platform.endpoints.ws,
      API_URL: platform.endpoints.api,
      ROOM_ID: room.id,
      ALICE_ID: aliceId,
      ALICE_TOKEN: await platform.tokenFor(aliceId, 'laptop'),
      BOB_ID: bobId,
      BOB_TOKEN: await platform.tokenFor(bobId, 'laptop'),
    });
    const lines = stdout.trim().split('\n');
    expect(lines.slice(0, 2)).toEqual(['bob: connecting (connect)', 'bob: connected (connected)']);
    expect(lines.slice(2, 4).sort()).toEqual(["alice's message: acked", 'bob received #1 from alice: hello bob']);
    expect(lines.slice(4)).toEqual(['alice sent #1; bob has 0 unread', 'bob: disconnected (closed)']);
  });

  it('encrypts a chat through the published e2ee-node entry with libsignal, the platform storing only ciphertext', async () => {
    // The app installs the optional peer dependency; the repository's own copy stands in for `npm install @signalapp/libsignal-client`.
    await mkdir(join(appDir, 'node_modules/@signalapp'), { recursive: true });
    await symlink(join(ROOT, 'node_modules/@signalapp/libsignal-client'), join(appDir, 'node_modules/@signalapp/libsignal-client'), 'dir');
    const [aliceId, bobId] = [await platform.createUser('alice'), await platform.createUser('bob')];
    const room = await platform.admin('POST', '/v1/rooms', { name: 'secret', kind: 'group', members: [aliceId, bobId], encrypted: true });
    expect(room.status).toBe(201);
    await writeFile(
      join(appDir, 'e2ee-example.mjs'),
      [
        "import { createChatClient, messageText } from '@mqtt-chat/sdk';",
        "import { createFileKeyValueStore, createLibsignalCrypto } from '@mqtt-chat/sdk/e2ee-node';",
        'const { MQTT_URL, API_URL, ROOM_ID, ALICE_ID, ALICE_TOKEN, BOB_ID, BOB_TOKEN, KEYS_DIR } = process.env;',
        'const crypto = createLibsignalCrypto();',
        'const device = async (userId, token) => createChatClient({ mqttUrl: MQTT_URL, apiUrl: API_URL, userId, deviceId: "laptop", token,',
        '  e2ee: { crypto, store: await createFileKeyValueStore(`${KEYS_DIR}/${userId}`) } });',
        'const [alice, bob] = [await device(ALICE_ID, ALICE_TOKEN), await device(BOB_ID, BOB_TOKEN)];',
        "const received = new Promise((resolve) => bob.on('message', (m) => resolve(m)));",
        'await Promise.all([alice.connect(), bob.connect()]);',
        'await Promise.all([alice.e2ee.ready(), bob.e2ee.ready()]);',
        "await alice.send(ROOM_ID, 'a secret for bob');",
        'const m = await received;',
        'console.log(`bob read: ${messageText(m)} (${m.e2ee?.state})`);',
        'const [[ours], [theirs]] = [await alice.e2ee.safetyNumbers(BOB_ID), await bob.e2ee.safetyNumbers(ALICE_ID)];',
        'console.log(`safety numbers: ${ours.displayable.length} digits, ${ours.displayable === theirs.displayable ? "equal" : "different"}`);',
        'alice.close();',
        'bob.close();',
        '',
      ].join('\n'),
    );
    const { stdout } = await run(process.execPath, ['e2ee-example.mjs'], appDir, EXAMPLE_LIMIT_MS, {
      MQTT_URL: platform.endpoints.ws,
      API_URL: platform.endpoints.api,
      ROOM_ID: room.json.id,
      ALICE_ID: aliceId,
      ALICE_TOKEN: await platform.tokenFor(aliceId, 'laptop'),
      BOB_ID: bobId,
      BOB_TOKEN: await platform.tokenFor(bobId, 'laptop'),
      KEYS_DIR: join(workDir, 'keys'),
    });
    expect(stdout.trim().split('\n')).toEqual(['bob read: a secret for bob (decrypted)', 'safety numbers: 60 digits, equal']);
    const history = await platform.admin('GET', `/v1/rooms/${room.json.id}/messages`);
    expect(history.status).toBe(200);
    const stored = history.json.messages as { contentType: string; body: string }[];
    expect(stored.map((m) => m.contentType)).toEqual(['application/vnd.mqtt-chat.e2ee.v1']);
    expect(stored.map((m) => Buffer.from(m.body, 'base64').includes('a secret for bob'))).toEqual([false]);
  });

  it("type-checks an app's TypeScript against the published declarations, resolved through the package's exports", async () => {
    await writeFile(
      join(appDir, 'app.ts'),
      [
        "import { createChatClient, isSdkError, type RoomSummary, type SendState } from '@mqtt-chat/sdk';",
        "const client = createChatClient({ mqttUrl: 'wss://chat.example/mqtt', apiUrl: 'https://chat.example', userId: 'u', deviceId: 'd', token: 't' });",
        'const rooms: RoomSummary[] = client.rooms();',
        "const state: SendState = client.send('room', 'hi').state();",
        "client.on('presence', (p) => console.log(p.userId, p.online, rooms.length, state.state));",
        'client.connect().catch((e: unknown) => console.log(isSdkError(e) ? e.code : e));',
        '',
      ].join('\n'),
    );
    await writeFile(
      join(appDir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'nodenext', target: 'es2022', strict: true, noEmit: true, lib: ['es2022', 'dom'], types: [] },
        files: ['app.ts'],
      }),
    );
    await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', '.'], appDir, STEP_LIMIT_MS);
  });

  it('bundles for a browser from the installed package, with MQTT.js’s browser build', async () => {
    await writeFile(join(appDir, 'page.js'), "import { createChatClient } from '@mqtt-chat/sdk';\nglobalThis.chat = createChatClient;\n");
    const result = await build({
      entryPoints: ['page.js'],
      absWorkingDir: appDir,
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect([inputs.some((i) => i.includes('@mqtt-chat/sdk/dist/')), inputs.some((i) => i.endsWith('mqtt/dist/mqtt.esm.js'))]).toEqual([
      true,
      true,
    ]);
    expect(inputs.filter((input) => /\/src\/.*\.ts$|mqtt\/build\//.test(input))).toEqual([]); // dist/, and not MQTT.js's Node build
  });
});
