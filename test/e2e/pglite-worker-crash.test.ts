/**
 * The embedded database's worker thread dies under the running platform
 * (docs/durable-path.md#pglite-on-a-thread-of-its-own): every send made meanwhile is answered
 * (PUBACK, then Ack or Nack UNAVAILABLE with retry_after_ms; none is left hanging), the thread
 * is restarted on the same files, and the device's resends after retry_after_ms are stored,
 * with everything Acked before, during and after the crash in the history, gapless. The thread
 * is killed for real: a query whose result is far larger than the heap limit it was given.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.js';
import { silentLogger, type Logger } from '../../lib/log.js';
import { createMetrics } from '../../lib/metrics.js';
import { startPlatform, type Platform } from '../../platform/platform.js';
import { MIGRATIONS_DIR } from '../../schema/migrations.js';
import { NackReason } from '../../schema/index.js';
import { isDbError, migrate, readMigrations, withTypedErrors, type Db } from '../../store/index.js';
import { openPgliteDb } from '../../store/pglite-db.js';
import { TestDevice } from '../support/device.js';

const ADMIN = 'admin-token-for-worker-crash-tests';
/** ~300 MB of result rows: far beyond the worker's heap limit below, so the thread dies parsing them. */
const HEAP_BUSTER = "SELECT repeat('x', 1000) AS s FROM generate_series(1, 300000)";
const SMALL_HEAP = { maxOldGenerationSizeMb: 64 };
/** A device retries a send Nacked UNAVAILABLE at most this often before the test gives up. */
const MAX_ATTEMPTS = 20;
/** Between sends while the thread is down: a device's pace, not a flood. */
const PACE_MS = 50;

let dataDir: string;
let db: Db;
let platform: Platform;
let device: TestDevice;
let roomId: string;
let token: string;
let restarted: Promise<void>;
let hasRestarted = false;
const reported: string[] = [];

async function call(method: string, url: string, bearer: string, payload?: object) {
  const r = await platform.api.inject({
    method: method as 'GET',
    url,
    headers: { authorization: `Bearer ${bearer}` },
    ...(payload === undefined ? {} : { payload }),
  });
  return r.json();
}

type Outcome = { acked: true; seq: number } | { acked: false; reason: number; retryAfterMs: number };

/**
 * One send, resolved with its answer, the Ack or the Nack. The PUBACK comes once the send is
 * settled (stored or refused), and may wait behind the fatal query for as long as that runs on
 * a loaded machine: the test's timeout bounds it. The answer itself must follow within
 * WAIT_LIMIT_MS.
 */
async function sendOnce(clientMsgId: string): Promise<Outcome> {
  await device.send(roomId, clientMsgId, 1, clientMsgId);
  const ack = device.waitForAck(clientMsgId).then((a) => ({ acked: true as const, seq: a.seq }));
  const nack = device.waitForNack(clientMsgId).then((n) => ({ acked: false as const, reason: n.reason, retryAfterMs: n.retryAfterMs }));
  ack.catch(() => undefined);
  nack.catch(() => undefined);
  return Promise.race([ack, nack]);
}

/** What a device does with a send: resend after each Nack UNAVAILABLE's retry_after_ms, until it is Acked. */
async function sendUntilStored(clientMsgId: string): Promise<number> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    // Each answer is observed once: a resend's Ack or Nack is told apart by clearing what was seen.
    device.observations.length = 0;
    const outcome = await sendOnce(clientMsgId);
    if (outcome.acked) return outcome.seq;
    expect(outcome.reason).toBe(NackReason.NACK_REASON_UNAVAILABLE);
    await delay(outcome.retryAfterMs);
  }
  throw new Error(`${clientMsgId} was not stored after ${MAX_ATTEMPTS} attempts`);
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'chat-worker-crash-'));
  let onRestart: () => void = () => undefined;
  restarted = new Promise<void>((resolve) => (onRestart = resolve));
  const log = {
    info: (_fields: object, message?: string) => {
      if (message?.includes('restarted') !== true) return;
      hasRestarted = true;
      onRestart();
    },
    error: (_fields: object, message?: string) => reported.push(message ?? ''),
  } as unknown as Pick<Logger, 'info' | 'error'>;
  db = withTypedErrors(await openPgliteDb(dataDir, { log, resourceLimits: SMALL_HEAP }));
  await migrate(db, await readMigrations(MIGRATIONS_DIR));
  platform = await startPlatform(
    loadConfig({ MQTT_PORT: '0', WS_PORT: '0', API_PORT: '0', SEND_BURST: '1000', SEND_RATE_PER_SECOND: '1000' }),
    {
      db,
      secrets: { jwtSecret: 'worker-crash-test-secret-0123456789abcdef', adminToken: ADMIN },
      log: silentLogger(),
      metrics: createMetrics(),
    },
  );
  const userId = (await call('POST', '/v1/users', ADMIN, { name: 'alice' })).id as string;
  token = (await call('POST', '/v1/tokens', ADMIN, { userId, deviceId: 'phone' })).token as string;
  roomId = (await call('POST', '/v1/rooms', ADMIN, { name: 'r', kind: 'group', members: [userId] })).id as string;
  device = await TestDevice.connect(platform.endpoints.mqtt!, userId, 'phone', token);
  expect(await device.joinRoom(roomId)).toBe(1);
}, 180_000);

afterAll(async () => {
  await device?.close();
  await platform?.close();
  await db?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the PGlite worker thread dies under the running platform', () => {
  it(
    'answers every send meanwhile (Ack or Nack UNAVAILABLE), restarts the thread, and stores the resends',
    { timeout: 180_000 },
    async () => {
      expect(await sendUntilStored('before')).toBe(1);

      // The platform's own connection to the database takes the fatal query, as any call that kills the thread would.
      const crash = db.query(HEAP_BUSTER).then(
        () => undefined,
        (error: unknown) => error,
      );
      const outcomes = new Map<string, Outcome>();
      for (let i = 0; !hasRestarted; i += 1) {
        device.observations.length = 0;
        outcomes.set(`during-${i}`, await sendOnce(`during-${i}`));
        await delay(PACE_MS);
      }
      expect(isDbError(await crash, 'ERR_UNAVAILABLE')).toBe(true);
      expect(reported).toContain('the PGlite worker thread died: restarting it on the same files');
      await restarted;

      const answers = [...outcomes.values()];
      const nacked = [...outcomes].flatMap(([id, o]) => (o.acked ? [] : [{ id, o }]));
      console.log(`worker crash: ${answers.length} sends while the thread was down or restarting, ${nacked.length} Nacked UNAVAILABLE`);
      expect(nacked.length).toBeGreaterThan(0);
      for (const { o } of nacked) {
        expect(o).toMatchObject({ reason: NackReason.NACK_REASON_UNAVAILABLE });
        expect(o.acked ? 0 : o.retryAfterMs).toBeGreaterThan(0);
      }

      // The device resends what was Nacked, as the Nack tells it to; then a fresh send.
      for (const { id } of nacked) await sendUntilStored(id);
      await sendUntilStored('after');

      const history = await call('GET', `/v1/rooms/${roomId}/messages?after=0&limit=500`, token);
      const stored = (history.messages as { clientMsgId: string; seq: number }[]).map((m) => m.clientMsgId);
      expect(stored).toEqual(expect.arrayContaining(['before', ...outcomes.keys(), 'after']));
      expect(new Set(stored).size).toBe(stored.length);
      expect((history.messages as { seq: number }[]).map((m) => m.seq)).toEqual(stored.map((_, i) => i + 1));
    },
  );
});
