/**
 * The SDK across restarts of the platform process (SIGKILL, then a restart on the same ports and
 * data, as a supervisor would): nothing acknowledged is lost or duplicated, an expired token is
 * a status the app can act on, and a fleet that lost its broker at once does not come back at
 * once (full jitter against no jitter, docs/mobile-realities.md#reconnect-backoff).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenService } from '../../lib/tokens.js';
import type { BackoffOptions, ChatClientOptions, ClientStatus } from '@mqtt-chat/sdk';
import { spawnPlatform, type PlatformProcess } from '../support/platform-process.js';
import { rest } from '../support/rest-client.js';
import { createTestClient, FAST, range, type TestClient } from './support/sdk-client.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

const SECRETS = { ADMIN_TOKEN: 'sdk-restart-admin-token', JWT_SECRET: 'sdk-restart-jwt-secret-0123456789abcdef' };

let dataDir: string;
let platform: PlatformProcess;
const clients: TestClient[] = [];
const proxies: TcpProxy[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sdk-restart-'));
  platform = await spawnPlatform({ ...SECRETS, DATA_DIR: dataDir });
});
afterAll(async () => {
  for (const c of clients) c.client.close();
  await Promise.all(proxies.map((p) => p.close()));
  await platform?.stop('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

const port = (url: string) => new URL(url).port;

/** SIGKILL, then the same platform again on the same ports and data. */
async function crashAndRestart(whileDown: () => void = () => undefined): Promise<void> {
  const ports = { MQTT_PORT: port(platform.mqttUrl), API_PORT: port(platform.apiUrl) };
  await platform.stop('SIGKILL');
  whileDown();
  platform = await spawnPlatform({ ...SECRETS, DATA_DIR: dataDir, ...ports });
}

const admin = (method: string, path: string, body?: unknown) => rest(platform.apiUrl, SECRETS.ADMIN_TOKEN, method, path, body);

async function createUser(name: string): Promise<string> {
  return (await admin('POST', '/v1/users', { name })).json.id;
}

async function tokenFor(userId: string, deviceId: string): Promise<string> {
  return (await admin('POST', '/v1/tokens', { userId, deviceId })).json.token;
}

function client(userId: string, extra: Partial<ChatClientOptions> & { deviceId?: string } = {}): TestClient {
  const c = createTestClient({ mqttUrl: platform.mqttUrl, apiUrl: platform.apiUrl, userId, deviceId: 'phone', ...FAST, ...extra });
  clients.push(c);
  void c.client.connect(); // failures show in the statuses the tests assert on
  return c;
}

describe('SDK across platform restarts', () => {
  it('delivers every message acked before, during and after a crash of the platform once, in order, to every member', async () => {
    const [aliceId, bobId] = [await createUser('alice'), await createUser('bob')];
    const roomId = (await admin('POST', '/v1/rooms', { name: 'r', kind: 'group', members: [aliceId, bobId] })).json.id as string;
    const alice = client(aliceId, { token: await tokenFor(aliceId, 'phone') });
    const bob = client(bobId, { token: await tokenFor(bobId, 'phone') });
    await Promise.all([alice.untilSubscribed(roomId), bob.untilSubscribed(roomId)]);

    const before = await Promise.all(range(1, 5).map((i) => alice.client.send(roomId, `before ${i}`)));
    await bob.until(() => bob.client.lastSeq(roomId) === 5, 'the messages before the crash');
    const whileDown: Promise<{ seq: number }>[] = [];
    await crashAndRestart(() => {
      for (const i of range(1, 3))
        whileDown.push(alice.client.send(roomId, `while down ${i}`), bob.client.send(roomId, `bob while down ${i}`));
    });
    const during = await Promise.all(whileDown);
    const after = await Promise.all(range(1, 3).map((i) => bob.client.send(roomId, `after ${i}`)));

    const acked = [...before, ...during, ...after].map((a) => a.seq).sort((a, b) => a - b);
    expect(acked).toEqual(range(1, 14));
    await Promise.all([alice, bob].map((c) => c.until(() => c.client.lastSeq(roomId) === 14, 'every message')));
    expect(alice.seqs(roomId)).toEqual(range(1, 14));
    expect(bob.delivered).toEqual(alice.delivered);
    expect(alice.statuses.filter((s) => s.state === 'connected')).toHaveLength(2);
    const history = await rest(platform.apiUrl, SECRETS.ADMIN_TOKEN, 'GET', `/v1/rooms/${roomId}/messages?after=0`);
    expect(history.json.messages.map((m: { clientMsgId: string }) => m.clientMsgId)).toEqual(alice.delivered.map((m) => m.clientMsgId));
  });

  it('turns a token that expired mid-session into a fatal unauthorized status, and resumes with a refreshed token', async () => {
    const userId = await createUser('carol');
    const roomId = (await admin('POST', '/v1/rooms', { name: 'r', kind: 'group', members: [userId] })).json.id as string;
    // Signed with the platform's own key, but expired an hour ago.
    const stale = createTokenService({ secret: SECRETS.JWT_SECRET, ttlSeconds: 60, now: () => Date.now() - 3_600_000 });
    let token = await tokenFor(userId, 'phone');
    const net = await startTcpProxy(platform.mqttUrl);
    proxies.push(net);
    const carol = client(userId, { mqttUrl: net.url, getToken: () => token });
    await carol.untilSubscribed(roomId);

    token = stale.issue(userId, 'phone').token;
    net.cut();
    const fatal = await carol.untilStatus((s) => s.state === 'disconnected', 'the refused reconnect');
    expect(fatal).toMatchObject({ code: 'unauthorized' });
    const queued = carol.client.send(roomId, 'typed while the token was stale');

    token = await tokenFor(userId, 'phone');
    await carol.client.connect(); // with the refreshed token
    expect(await queued).toMatchObject({ seq: 1 });
  });
});

describe('a reconnect storm: 200 clients whose broker goes away and comes back', () => {
  const FLEET = 200;
  const BUCKET_MS = 100;
  // Lock-step retries fall due 500, 1500, 3500 ms after the drop: the broker is back well before the third.
  const OUTAGE_MS = 2500;
  const BACKOFF = { baseMs: 500, capMs: 4000 };
  let fleet: { userId: string; tokens: string[] };
  let relay: TcpProxy;

  beforeAll(async () => {
    const userId = await createUser('fleet');
    const tokens: string[] = [];
    for (const chunk of range(0, FLEET / 20 - 1)) {
      tokens.push(...(await Promise.all(range(0, 19).map((i) => tokenFor(userId, `d${chunk * 20 + i}`)))));
    }
    fleet = { userId, tokens };
    // The relay stands in for the restart: to the clients it is the same (every connection dies, the port
    // refuses for a while, then accepts again), and the test measures the clients, not PGlite's start-up.
    relay = await startTcpProxy(platform.mqttUrl);
    proxies.push(relay);
  });

  /**
   * Connects the fleet, takes the broker away for OUTAGE_MS, and waits until every client is
   * back. Returns, per client, when its successful reconnect fell due by its own schedule (the
   * sum of the delays it waited since the drop) and, per connection, when it reached the broker.
   */
  async function storm(backoff: BackoffOptions): Promise<{ dueMs: number[]; arrivalsMs: number[] }> {
    const phones = fleet.tokens.map((token, i) =>
      createTestClient({
        mqttUrl: relay.url,
        apiUrl: platform.apiUrl,
        userId: fleet.userId,
        deviceId: `d${i}`,
        token,
        ...FAST,
        backoff,
        // As for a fleet that had been up for long: every connection counts as stable when the broker
        // goes away (however late the last one connected), so each first retry draws from [0, base).
        stableAfterMs: 0,
        followAllRooms: false,
      }),
    );
    const connects = (p: TestClient) => p.statuses.filter((s) => s.state === 'connected').length;
    try {
      for (const p of phones) void p.client.connect();
      await Promise.all(phones.map((p) => p.until(() => connects(p) === 1, 'the first connection')));
      await relay.goDown();
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS)); // the outage itself: its length is the scenario
      const backAtMs = performance.now();
      await relay.comeBack();
      await Promise.all(phones.map((p) => p.until(() => connects(p) === 2, 'the connection after the outage')));
      const arrivals = relay.acceptedAtMs().filter((t) => t >= backAtMs);
      return { dueMs: phones.map((p) => waitedSinceDropMs(p.statuses)), arrivalsMs: arrivals.map((t) => t - Math.min(...arrivals)) };
    } finally {
      for (const p of phones) p.client.close();
    }
  }

  /** The delays of the attempts between the first and the second connection. */
  function waitedSinceDropMs(statuses: ClientStatus[]): number {
    const afterFirst = statuses.slice(statuses.findIndex((s) => s.state === 'connected') + 1);
    const outage = afterFirst.slice(
      0,
      afterFirst.findIndex((s) => s.state === 'connected'),
    );
    return outage.reduce((sum, s) => sum + (s.state === 'connecting' ? s.delayMs : 0), 0);
  }

  function histogram(timesMs: number[]): number[] {
    const firstMs = Math.min(...timesMs);
    const buckets = new Array<number>(Math.floor((Math.max(...timesMs) - firstMs) / BUCKET_MS) + 1).fill(0);
    for (const t of timesMs) buckets[Math.floor((t - firstMs) / BUCKET_MS)]! += 1;
    return buckets;
  }

  function print(title: string, buckets: number[]): void {
    const lines = buckets.map((n, i) => `${String(i * BUCKET_MS).padStart(5)} ms ${'#'.repeat(Math.ceil(n / 2)).padEnd(FLEET / 2)} ${n}`);
    console.log(`${title}, per ${BUCKET_MS} ms from the first\n${lines.join('\n')}`);
  }

  it('spreads the reconnects with full jitter, where no jitter brings the fleet back in lock-step', { timeout: 120_000 }, async () => {
    const lockStep = await storm({ ...BACKOFF, jitter: 'none' });
    const jittered = await storm({ ...BACKOFF, jitter: 'full' });
    const [lockStepDue, jitteredDue] = [histogram(lockStep.dueMs), histogram(jittered.dueMs)];
    print(`no jitter, min(${BACKOFF.capMs}, ${BACKOFF.baseMs}·2^n): reconnects falling due`, lockStepDue);
    print(`full jitter, random(0, min(${BACKOFF.capMs}, ${BACKOFF.baseMs}·2^n)): reconnects falling due`, jitteredDue);
    // What reached the broker from this one process: 200 simulated phones share its two cores, so a
    // lock-step burst leaves here no faster than the process can open connections (about 1 ms each).
    print('no jitter: connections arriving at the broker', histogram(lockStep.arrivalsMs));
    print('full jitter: connections arriving at the broker', histogram(jittered.arrivalsMs));
    // Lock-step: the fleet falls due on the schedule's few points (mostly one; a client whose attempt
    // timed out on the loaded machine moves to the next). Full jitter: spread, no bucket more than a fraction.
    expect(lockStepDue.filter((n) => n > 0).length).toBeLessThanOrEqual(3);
    expect(Math.max(...lockStepDue)).toBeGreaterThanOrEqual(FLEET / 2);
    expect(Math.max(...jitteredDue)).toBeLessThanOrEqual(Math.max(...lockStepDue) / 4);
    expect(jitteredDue.filter((n) => n > 0).length).toBeGreaterThanOrEqual(10);
  });
});
