/**
 * chatctl as an admin runs it: a child process (cli/main.ts through its shebang, as the bin
 * runs it) against a real platform on real sockets. Outputs, exit codes, and `tail` printing a
 * message sent while it runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHATCTL = `${ROOT}cli/main.ts`;
const WAIT_LIMIT_MS = 20_000;
// Each chatctl run is a fresh Node process compiling TypeScript: seconds apiece on a busy machine, and a test makes several.
vi.setConfig({ testTimeout: 120_000 });

let platform: TestPlatform;
let env: Record<string, string>;

beforeAll(async () => {
  platform = await startTestPlatform({ database: 'pglite', brokerState: 'memory' });
  env = { CHATCTL_URL: platform.endpoints.api, CHATCTL_TOKEN: platform.adminToken, CHATCTL_MQTT_URL: platform.endpoints.mqtt };
});
afterAll(async () => platform?.stop());

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], extraEnv: Record<string, string | undefined> = env): ChildProcess {
  // DATA_DIR: nowhere, unless a test says otherwise (a checkout where `npm start` ran has ./data/secrets.json).
  const childEnv: Record<string, string | undefined> = {
    ...process.env,
    CHATCTL_URL: '',
    CHATCTL_TOKEN: '',
    ADMIN_TOKEN: '',
    DATA_DIR: join(tmpdir(), 'chatctl-no-data'),
    ...extraEnv,
  };
  return spawn(CHATCTL, args, { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
}

function chatctl(args: string[], extraEnv?: Record<string, string | undefined>): Promise<Run> {
  const child = start(args, extraEnv);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

async function json(args: string[]): Promise<any> {
  const run = await chatctl([...args, '--json']);
  expect(run, run.stderr).toMatchObject({ code: 0 });
  return JSON.parse(run.stdout);
}

/** Resolves with the stream's text once `pattern` appears in it. */
function until(stream: NodeJS.ReadableStream, pattern: RegExp, what: string): Promise<string> {
  let text = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} within ${WAIT_LIMIT_MS} ms; got:\n${text}`)), WAIT_LIMIT_MS);
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (!pattern.test(text)) return;
      clearTimeout(timer);
      stream.off('data', onData);
      resolve(text);
    };
    stream.on('data', onData);
  });
}

const base64 = (text: string) => Buffer.from(text).toString('base64');

describe('chatctl users, rooms, members, tokens', () => {
  it('creates and lists users, as a table and as JSON', async () => {
    const created = await chatctl(['users', 'create', 'Grace Hopper']);
    expect(created.code).toBe(0);
    const id = /^id\s+(\S+)$/m.exec(created.stdout)?.[1];
    expect(created.stdout).toMatch(/^name\s+Grace Hopper$/m);
    const listed = await json(['users', 'list', '--prefix', 'grace']);
    expect(listed).toMatchObject({ total: 1, nextAfter: null, users: [{ id, name: 'Grace Hopper', rooms: 0, deletedAt: null }] });
    const table = await chatctl(['users', 'list', '--prefix', 'grace']);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+ROOMS\s+CREATED\s+DELETED$/);
    expect(table.stdout).toContain(`${id}  Grace Hopper`);
    expect(table.stdout).toContain('1 of 1 users');
  });

  it('creates rooms, lists and shows them, and adds and removes members', async () => {
    const [ada, alan] = [await platform.createUser('ada'), await platform.createUser('alan')];
    const room = await json(['rooms', 'create', 'Engine room', '--member', ada, '-m', alan, '--description', 'gears']);
    expect(room).toMatchObject({ memberVersion: 1 });
    expect(await json(['rooms', 'list', '--member', alan])).toMatchObject({ total: 1, rooms: [{ id: room.id, memberCount: 2 }] });
    const shown = await chatctl(['rooms', 'show', room.id]);
    expect(shown.stdout).toMatch(/^members\s+.*\b/m);
    expect(shown.stdout).toContain('gears');
    expect(await json(['members', 'remove', room.id, alan])).toEqual({ memberVersion: 2, changed: true });
    expect(await json(['members', 'add', room.id, alan])).toEqual({ memberVersion: 3, changed: true });
    const again = await chatctl(['members', 'add', room.id, alan]);
    expect(again.stdout).toMatch(/^changed\s+no/m);
  });

  it('issues a token that works, revokes it, and deletes a user', async () => {
    const user = await platform.createUser('temporary');
    const { token } = await json(['tokens', 'issue', user, 'phone']);
    expect((await platform.as(token, 'GET', '/v1/rooms')).status).toBe(200);
    expect(await json(['tokens', 'revoke', user, 'phone'])).toMatchObject({ userId: user, deviceId: 'phone' });
    expect((await platform.as(token, 'GET', '/v1/rooms')).json.error.code).toBe('ERR_AUTH_TOKEN_REVOKED');
    const deleted = await chatctl(['users', 'delete', user]);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toMatch(/^deleted\s+\d{4}-/m);
    expect(await json(['users', 'show', user])).toMatchObject({ id: user, name: '', deletedAt: expect.any(String) });
  });
});

describe('chatctl exit codes', () => {
  it('exits 1 for a wrong command line, saying what is wrong', async () => {
    for (const args of [['bogus'], ['users', 'list', '--limit', 'lots'], ['rooms', 'create', 'x', '--kind', 'circle'], ['users', 'show']]) {
      const run = await chatctl(args);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr).toMatch(/^error: /m);
    }
    const tokenless = await chatctl(['users', 'list'], { CHATCTL_URL: platform.endpoints.api });
    expect(tokenless).toMatchObject({ code: 1, stderr: expect.stringContaining('no admin token') });
  });

  it('takes an id that starts with "-" after "--", and says so when one is taken for an option', async () => {
    // Ids no longer start with "-", but 1 in 64 of those made before did.
    const misread = await chatctl(['users', 'show', '-WMSIYhyCCqYg-JJ']);
    expect(misread).toMatchObject({ code: 1, stderr: expect.stringContaining('goes after "--"') });
    expect(await chatctl(['users', 'show', '--', '-WMSIYhyCCqYg-JJ'])).toMatchObject({
      code: 2,
      stderr: 'error: ERR_USER_NOT_FOUND: no user has this id (HTTP 404)\n',
    });
  });

  it('exits 2 with the error code when the platform says no, or cannot be reached', async () => {
    expect(await chatctl(['users', 'show', 'nobody'])).toMatchObject({
      code: 2,
      stderr: 'error: ERR_USER_NOT_FOUND: no user has this id (HTTP 404)\n',
    });
    const asJson = await chatctl(['users', 'show', 'nobody', '--json']);
    expect(asJson.code).toBe(2);
    expect(JSON.parse(asJson.stderr)).toMatchObject({ error: { code: 'ERR_USER_NOT_FOUND', status: 404 } });
    const wrongToken = await chatctl(['users', 'list'], { ...env, CHATCTL_TOKEN: 'not-the-admin-token' });
    expect(wrongToken).toMatchObject({ code: 2, stderr: expect.stringContaining('ERR_AUTH_TOKEN_INVALID') });
    const unreachable = await chatctl(['users', 'list'], { ...env, CHATCTL_URL: 'http://127.0.0.1:9' });
    expect(unreachable).toMatchObject({ code: 2, stderr: expect.stringContaining('ERR_CHATCTL_UNREACHABLE') });
  });

  it('takes the admin token from ADMIN_TOKEN too, as the platform does', async () => {
    const run = await chatctl(['users', 'list', '--limit', '1'], { CHATCTL_URL: platform.endpoints.api, ADMIN_TOKEN: platform.adminToken });
    expect(run.code).toBe(0);
  });

  it('takes the admin token the platform generated into DATA_DIR when nothing else gives one', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'chatctl-data-'));
    try {
      await writeFile(join(dataDir, 'secrets.json'), JSON.stringify({ jwtSecret: 'unused', adminToken: platform.adminToken }), {
        mode: 0o600,
      });
      const run = await chatctl(['users', 'list', '--limit', '1'], { CHATCTL_URL: platform.endpoints.api, DATA_DIR: dataDir });
      expect(run, run.stderr).toMatchObject({ code: 0 });
      const flagWins = await chatctl(['users', 'list'], {
        CHATCTL_URL: platform.endpoints.api,
        DATA_DIR: dataDir,
        CHATCTL_TOKEN: 'not-the-admin-token',
      });
      expect(flagWins).toMatchObject({ code: 2, stderr: expect.stringContaining('ERR_AUTH_TOKEN_INVALID') });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('chatctl tail', () => {
  it('prints the last messages, then one sent while it runs, and exits 0 on Ctrl-C', async () => {
    const sender = await platform.createUser('talker');
    const room = await platform.createRoom([sender]);
    const token = await platform.tokenFor(sender, 'phone');
    const send = (clientMsgId: string, text: string) =>
      platform.as(token, 'POST', `/v1/rooms/${room.id}/messages`, {
        clientMsgId,
        roomVersion: 1,
        body: base64(text),
        contentType: 'text/plain',
      });
    expect((await send('before', 'said before')).status).toBe(201);

    const tail = start(['tail', room.id, '--history', '1']);
    const exited = new Promise<number | null>((resolve) => tail.once('close', resolve));
    const history = until(tail.stdout!, /said before/, 'the history line');
    await until(tail.stderr!, /tailing/, 'the ready line');
    expect(await history).toMatch(new RegExp(`^#1 +\\d\\d:\\d\\d:\\d\\d +${sender}/phone +said before$`, 'm'));

    const live = until(tail.stdout!, /live news/, 'the live message');
    expect((await send('during', 'live news')).status).toBe(201);
    expect(await live).toMatch(new RegExp(`^#2 +\\d\\d:\\d\\d:\\d\\d +${sender}/phone +live news$`, 'm'));

    tail.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('prints one JSON object per message with --json, as a member with --user-token', async () => {
    const member = await platform.createUser('member');
    const room = await platform.createRoom([member]);
    const tailToken = await platform.tokenFor(member, 'chatctl');
    const tail = start(['tail', room.id, '--json', '--user-token', tailToken], {
      CHATCTL_URL: platform.endpoints.api,
      CHATCTL_MQTT_URL: platform.endpoints.mqtt,
    });
    const exited = new Promise<number | null>((resolve) => tail.once('close', resolve));
    await until(tail.stderr!, /tailing .* as [\w-]+\/chatctl/, 'the ready line');
    const line = until(tail.stdout!, /\n/, 'a JSON line');
    const phone = await platform.tokenFor(member, 'phone');
    await platform.as(phone, 'POST', `/v1/rooms/${room.id}/messages`, {
      clientMsgId: 'j1',
      roomVersion: 1,
      body: base64('{"a":1}'),
      contentType: 'text/plain',
    });
    expect(JSON.parse(await line)).toMatchObject({ roomId: room.id, seq: 1, senderId: member, senderDevice: 'phone', text: '{"a":1}' });
    tail.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('exits 2 for a room that does not exist', async () => {
    expect(await chatctl(['tail', 'no-such-room'])).toMatchObject({ code: 2, stderr: expect.stringContaining('ERR_ROOM_NOT_FOUND') });
  });
});

describe('chatctl stats', () => {
  it('reports health, connections, sends and counts', async () => {
    const user = await platform.createUser('counted');
    const room = await platform.createRoom([user]);
    const token = await platform.tokenFor(user, 'phone');
    await platform.as(token, 'POST', `/v1/rooms/${room.id}/messages`, { clientMsgId: 's1', roomVersion: 1, body: base64('counted') });
    const stats = await json(['stats']);
    expect(stats.health).toMatchObject({ status: 'ok', checks: { database: true, broker: true } });
    expect(stats.counts).toMatchObject({ users: expect.any(Number), rooms: expect.any(Number), pushOutbox: 0 });
    expect(stats.counts.messages).toBeGreaterThanOrEqual(1);
    expect(stats.metrics.sendsStored).toBeGreaterThanOrEqual(1);
    expect(typeof stats.metrics.connections).toBe('number');
    expect(stats.chatMetrics).toHaveProperty('chat_sends_total');
    const table = await chatctl(['stats']);
    expect(table.stdout).toMatch(/^health\s+ok \(database up, broker up\)$/m);
    expect(table.stdout).toMatch(/^push outbox backlog\s+\d+$/m);
  });
});

describe('npx chatctl', () => {
  it('runs the bin of the repository', async () => {
    const child = spawn('npx', ['--no-install', 'chatctl', '--help'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const code = await new Promise((resolve) => child.once('close', resolve));
    expect(code).toBe(0);
    for (const command of ['users', 'rooms', 'members', 'tokens', 'tail', 'stats'])
      expect(stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });
});
