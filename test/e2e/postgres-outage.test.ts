/**
 * A PostgreSQL restart, and a PostgreSQL crash, in the middle of a send burst, on a private
 * server the test starts itself. The platform (a real process) must stay up, say 503 with the
 * database named on /healthz while it is gone, serve again by itself as soon as it is back, and
 * lose no acknowledged send. `OUTAGE_SECONDS=30` stretches the outage to the bound.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usableOrSkip } from '../support/backends.js';
import { spawnPlatform, type PlatformProcess } from '../support/platform-process.js';
import { privatePostgresProblem, startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.js';
import { compareWithHistory, eventually, health, OUTAGE_MS, roomHistory, startBurst, untilHealth } from '../support/outage.js';
import { rest } from '../support/rest-client.js';
import { createTestClient, FAST, type TestClient } from '../sdk/support/sdk-client.js';

const ADMIN_TOKEN = 'pg-outage-admin-token';
const SECRETS = { ADMIN_TOKEN, JWT_SECRET: 'pg-outage-jwt-secret-0123456789abcdef' };
const SEND_INTERVAL_MS = 20;
const SENDS_BEFORE_OUTAGE = 40;

const usable = usableOrSkip('postgres', 'private PostgreSQL', await privatePostgresProblem());

describe.skipIf(!usable)('PostgreSQL goes away in the middle of a send burst', () => {
  let server: PrivatePostgres;
  let platform: PlatformProcess;
  let dataDir: string;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    server = await startPrivatePostgres();
    dataDir = await mkdtemp(join(tmpdir(), 'pg-outage-'));
    platform = await spawnPlatform({ ...SECRETS, DATABASE_URL: server.url, DATA_DIR: dataDir });
  });
  afterAll(async () => {
    for (const c of clients) c.client.close();
    await platform?.stop('SIGTERM');
    await server?.destroy();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function chat(): Promise<{ roomId: string; aliceToken: string; bobToken: string; alice: TestClient; bob: TestClient }> {
    const admin = (method: string, path: string, body?: unknown) => rest(platform.apiUrl, ADMIN_TOKEN, method, path, body);
    const [aliceId, bobId] = [
      (await admin('POST', '/v1/users', { name: 'alice' })).json.id,
      (await admin('POST', '/v1/users', { name: 'bob' })).json.id,
    ];
    const roomId = (await admin('POST', '/v1/rooms', { name: 'outage', kind: 'group', members: [aliceId, bobId] })).json.id as string;
    const phone = async (userId: string) => {
      const token = (await admin('POST', '/v1/tokens', { userId, deviceId: 'phone' })).json.token as string;
      const client = createTestClient({ mqttUrl: platform.mqttUrl, apiUrl: platform.apiUrl, userId, deviceId: 'phone', token, ...FAST });
      clients.push(client);
      void client.client.connect();
      await client.untilSubscribed(roomId);
      return { client, token };
    };
    const [alice, bob] = await Promise.all([phone(aliceId), phone(bobId)]);
    return { roomId, aliceToken: alice.token, bobToken: bob.token, alice: alice.client, bob: bob.client };
  }

  it('answers /healthz 503 within the check timeout while the database hangs, and 200 once it answers again', async () => {
    await untilHealth(platform.apiUrl, (h) => h.httpStatus === 200, 10_000);
    await server.freeze();
    try {
      const startedMs = Date.now();
      const hung = await health(platform.apiUrl);
      const answeredAfterMs = Date.now() - startedMs;
      expect(hung).toMatchObject({ httpStatus: 503, status: 'unavailable', checks: { database: false, broker: true } });
      // HEALTH_CHECK_TIMEOUT_MS is 1 s by default; the margin is for a loaded machine, not a hung check.
      expect(answeredAfterMs).toBeLessThan(5000);
    } finally {
      await server.thaw();
    }
    await untilHealth(platform.apiUrl, (h) => h.httpStatus === 200, 10_000);
  });

  for (const mode of ['fast', 'immediate'] as const) {
    const what = mode === 'fast' ? 'a restart (fast shutdown)' : 'a crash (immediate shutdown)';
    it(
      `lives through ${what}: 503 naming the database while it is gone, service back by itself, no acked send lost`,
      { timeout: 120_000 + OUTAGE_MS * 3 },
      async () => {
        const { roomId, aliceToken, bobToken, alice, bob } = await chat();
        const burst = startBurst((i) => alice.client.send(roomId, `burst ${i}`), SEND_INTERVAL_MS);
        await eventually(() => burst.acked().length >= SENDS_BEFORE_OUTAGE, 'acks before the outage', 30_000);

        const stoppedAtMs = Date.now();
        await server.stop(mode);
        const down = await untilHealth(platform.apiUrl, (h) => h.httpStatus === 503, 10_000);
        expect(down.health).toMatchObject({ status: 'unavailable', checks: { database: false, broker: true } });
        const metrics = await (await fetch(`${platform.apiUrl}/metrics`)).text();
        expect(metrics).toContain('chat_dependency_up{dependency="database"} 0');
        const restWhileDown = await fetch(`${platform.apiUrl}/v1/rooms/${roomId}`, { headers: { authorization: `Bearer ${bobToken}` } });
        expect([restWhileDown.status, restWhileDown.headers.get('retry-after'), ((await restWhileDown.json()) as any).error.code]).toEqual([
          503,
          '1',
          'ERR_UNAVAILABLE',
        ]);
        // A read receipt while the database is gone: its write fails and is retried, not dropped.
        const readWhileDown = bob.seqs(roomId).at(-1)!;
        bob.client.markRead(roomId, readWhileDown);
        const ackedWhileDown = burst.acked().filter((a) => a.atMs > stoppedAtMs + 1000).length;
        await sleep(Math.max(0, stoppedAtMs + OUTAGE_MS - Date.now()));
        expect(platform.child.exitCode, 'the platform process is alive').toBeNull();

        await server.start();
        const backAtMs = Date.now();
        const healthy = await untilHealth(platform.apiUrl, (h) => h.httpStatus === 200, 30_000);
        const healthyAfterMs = Date.now() - backAtMs;
        expect(healthy.health).toMatchObject({ status: 'ok', checks: { database: true, broker: true } });
        const restSend = async () => {
          const r = await rest(platform.apiUrl, aliceToken, 'POST', `/v1/rooms/${roomId}/messages`, {
            clientMsgId: `rest-probe-${mode}`,
            roomVersion: 1,
            body: Buffer.from('probe').toString('base64'),
          });
          return r.status === 201 || r.status === 200;
        };
        await eventually(restSend, 'a REST send after the restart', 30_000);
        const restSendAfterMs = Date.now() - backAtMs;
        await eventually(() => burst.acked().some((a) => a.atMs >= backAtMs), 'an SDK ack after the restart', 60_000);
        const firstAckAfterMs =
          Math.min(
            ...burst
              .acked()
              .map((a) => a.atMs)
              .filter((atMs) => atMs >= backAtMs),
          ) - backAtMs;

        await burst.stop(60_000 + OUTAGE_MS);
        // The SDK holds at most 1000 unacknowledged sends and refuses more at once (ERR_SDK_OUTBOX_FULL):
        // those never left the phone. Every send it took was acked.
        const refused = burst.records.filter((r) => (r.failed as { code?: string } | undefined)?.code === 'ERR_SDK_OUTBOX_FULL');
        expect(
          burst.records.filter((r) => r.acked === undefined && !refused.includes(r)),
          'sends never acked',
        ).toEqual([]);
        const acked = burst.acked();
        const history = await roomHistory(platform.apiUrl, ADMIN_TOKEN, roomId);
        expect(compareWithHistory(acked, history)).toEqual({ lost: [], wrongSeq: [], duplicates: [], gaps: [] });
        await bob.until(() => bob.seqs(roomId).length >= history.length, 'every stored message at bob');
        expect(bob.seqs(roomId)).toEqual(history.map((m) => m.seq));
        const readSeq = async () => (await rest(platform.apiUrl, bobToken, 'GET', `/v1/rooms/${roomId}`)).json.readSeq as number;
        await eventually(async () => (await readSeq()) >= readWhileDown, 'the read receipt made while the database was down', 10_000);
        expect(platform.child.exitCode, 'the platform process is alive').toBeNull();

        console.log(
          `PostgreSQL ${what}, down ${OUTAGE_MS} ms: /healthz 200 ${healthyAfterMs} ms after it was back, a REST send ${restSendAfterMs} ms, ` +
            `the first SDK ack ${firstAckAfterMs} ms; ${acked.length} sends acked (${ackedWhileDown} while it was down), 0 lost, 0 duplicated` +
            (refused.length > 0 ? `; ${refused.length} refused by the SDK's full outbox` : ''),
        );
      },
    );
  }
});
