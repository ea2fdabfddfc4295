/** Start-up failures are one clear error naming the variable to change, and leave nothing running. */
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTRY_POINTS, runEntryPoint } from '../../devtools/index.js';
import { loadConfig } from '../../lib/config.js';
import { silentLogger } from '../../lib/log.js';
import { startPlatform } from '../../platform/platform.js';
import { openDb, type Db } from '../../store/index.js';

const secrets = { jwtSecret: 'startup-test-secret-0123456789abcdef', adminToken: 'startup-admin-token' };

describe('platform start-up', () => {
  let db: Db;
  let occupier: Server;
  let takenPort: number;

  beforeAll(async () => {
    ({ db } = await openDb({}));
    occupier = createServer().listen(0, '127.0.0.1');
    await once(occupier, 'listening');
    takenPort = (occupier.address() as { port: number }).port;
  });
  afterAll(async () => {
    occupier.close();
    await db.close();
  });

  async function freePort(): Promise<number> {
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    server.close();
    await once(server, 'close');
    return port;
  }

  async function canListenOn(port: number): Promise<boolean> {
    const server = createServer();
    server.listen(port, '127.0.0.1');
    const [event] = await Promise.race([once(server, 'listening').then(() => ['listening']), once(server, 'error').then(() => ['error'])]);
    server.close();
    return event === 'listening';
  }

  for (const variable of ['MQTT_PORT', 'WS_PORT', 'API_PORT'] as const) {
    it(`names ${variable} when its port is taken, and releases the ports it had opened`, async () => {
      const ports = { MQTT_PORT: await freePort(), WS_PORT: await freePort(), API_PORT: await freePort(), [variable]: takenPort };
      const config = loadConfig(Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])));
      await expect(startPlatform(config, { db, secrets, log: silentLogger() })).rejects.toMatchObject({
        code: 'ERR_CONFIG_PORT_UNAVAILABLE',
        message: expect.stringContaining(`set ${variable} to a free port`),
      });
      for (const [name, port] of Object.entries(ports)) {
        if (name !== variable) expect(await canListenOn(port), `${name} released`).toBe(true);
      }
    });
  }

  /** Runs `npm start`'s entry point with `env` until it exits; its exit code and what it printed. */
  async function startWith(env: Record<string, string>): Promise<{ code: unknown; stderr: string; stdout: string }> {
    const dataDir = await mkdtemp(join(tmpdir(), 'startup-')); // generated secrets go there, not into the checkout
    const result = await runEntryPoint(ENTRY_POINTS.platform, {
      ...process.env,
      MQTT_PORT: '0',
      WS_PORT: '0',
      API_PORT: '0',
      DATA_DIR: dataDir,
      ...env,
    });
    await rm(dataDir, { recursive: true, force: true });
    return result;
  }

  it('exits with code 1 and one line naming a bad variable (npm start)', async () => {
    const { code, stderr } = await startWith({ API_PORT: 'abc' });
    expect(code).toBe(1);
    expect(stderr.trim()).toBe('error: invalid configuration: API_PORT = "abc": must be a whole number');
  });

  it('exits with code 1 and one line naming REDIS_URL, without its password, when Redis is unreachable', async () => {
    const port = await freePort(); // nothing listens there
    const { code, stderr, stdout } = await startWith({ REDIS_URL: `redis://:s3cret-pw@127.0.0.1:${port}`, LOG_LEVEL: 'warn' });
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      `error: REDIS_URL: cannot reach Redis at redis://***@127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
    expect(stdout).toBe('');
  });

  it('exits with code 1 and one line naming DATABASE_URL, without its password, when PostgreSQL is unreachable', async () => {
    const port = await freePort();
    const { code, stderr, stdout } = await startWith({
      DATABASE_URL: `postgres://chat:s3cret-pw@127.0.0.1:${port}/chat`,
      LOG_LEVEL: 'warn',
    });
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      `error: DATABASE_URL: cannot reach PostgreSQL at postgres://***@127.0.0.1:${port}/chat: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
    expect(stdout).toBe('');
  });
});
