/**
 * Sends while the database is unreachable, end to end through the whole platform: a device's send
 * is PUBACKed with a Nack UNAVAILABLE carrying retry_after_ms and its connection stays open; REST
 * answers 503 ERR_UNAVAILABLE with Retry-After; once the database is back, the device's resend
 * after retry_after_ms is stored. The database is real (PGlite) behind a switch that makes every
 * call fail with a real ECONNREFUSED while it is "down" (test/support/unreachable-db.ts); the
 * tests that restart a real PostgreSQL are in the backend-outage suites.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.js';
import { silentLogger } from '../../lib/log.js';
import { createMetrics } from '../../lib/metrics.js';
import { startPlatform, type Platform } from '../../platform/platform.js';
import { NackReason } from '../../schema/index.js';
import { openDb, withTypedErrors } from '../../store/index.js';
import { TestDevice } from '../support/device.js';
import { unreachableDb, type UnreachableDb } from '../support/unreachable-db.js';

const ADMIN = 'admin-token-for-outage-tests';
let platform: Platform;
let flaky: UnreachableDb;
let device: TestDevice;
let token: string;
let roomId: string;

async function call(method: string, url: string, bearer: string, payload?: object) {
  const r = await platform.api.inject({
    method: method as 'GET',
    url,
    headers: { authorization: `Bearer ${bearer}` },
    ...(payload === undefined ? {} : { payload }),
  });
  return { status: r.statusCode, json: r.json(), headers: r.headers };
}

beforeAll(async () => {
  flaky = await unreachableDb((await openDb({})).db);
  platform = await startPlatform(loadConfig({ MQTT_PORT: '0', WS_PORT: '0', API_PORT: '0' }), {
    db: withTypedErrors(flaky),
    secrets: { jwtSecret: 'outage-test-secret-outage-test-secret-0123', adminToken: ADMIN },
    log: silentLogger(),
    metrics: createMetrics(),
  });
  const userId = (await call('POST', '/v1/users', ADMIN, { name: 'alice' })).json.id as string;
  token = (await call('POST', '/v1/tokens', ADMIN, { userId, deviceId: 'phone' })).json.token as string;
  roomId = (await call('POST', '/v1/rooms', ADMIN, { name: 'r', kind: 'group', members: [userId] })).json.id as string;
  device = await TestDevice.connect(platform.endpoints.mqtt!, userId, 'phone', token);
  expect(await device.joinRoom(roomId)).toBe(1);
});
afterAll(async () => {
  await device?.close();
  flaky.down = false;
  await platform?.close();
  await flaky?.close();
});

describe('while the database is unreachable', () => {
  it('answers a device send with PUBACK and Nack UNAVAILABLE, keeps the connection, and stores the resend once the database is back', async () => {
    flaky.down = true;
    await device.send(roomId, 'during-outage', 1, 'hello?'); // resolves on PUBACK
    const nack = await device.waitForNack('during-outage');
    expect(nack.reason).toBe(NackReason.NACK_REASON_UNAVAILABLE);
    expect(nack.retryAfterMs).toBeGreaterThan(0);
    expect(nack.retryAfterMs).toBeLessThanOrEqual(platform.config.DB_PROBE_INTERVAL_MS);
    expect(device.client.connected).toBe(true);

    flaky.down = false;
    const backAtMs = Date.now();
    await delay(nack.retryAfterMs); // what the Nack tells a device to do
    await device.send(roomId, 'during-outage', 1, 'hello?');
    expect(await device.waitForAck('during-outage')).toMatchObject({ seq: 1, duplicate: false });
    const recoveryMs = Date.now() - backAtMs;
    console.log(`database outage: send stored ${recoveryMs} ms after the database came back`);
    expect(recoveryMs).toBeLessThan(1000);
  });

  it('answers REST calls with 503 ERR_UNAVAILABLE and Retry-After, sends and reads alike', async () => {
    flaky.down = true;
    try {
      const send = await call('POST', `/v1/rooms/${roomId}/messages`, token, { clientMsgId: 'rest-out', roomVersion: 1, body: '' });
      expect([send.status, send.json.error.code, send.headers['retry-after']]).toEqual([503, 'ERR_UNAVAILABLE', '1']);
      const read = await call('GET', `/v1/rooms/${roomId}`, token);
      expect([read.status, read.json.error.code, read.headers['retry-after']]).toEqual([503, 'ERR_UNAVAILABLE', '1']);
    } finally {
      flaky.down = false;
    }
  });
});
