/**
 * REST limits per caller: requests per minute (per user device, per admin, per IP address
 * without a credential; /healthz and /metrics exempt), rooms created per minute per user,
 * members named per created room, and sends per device (the same budget as over MQTT).
 * Each limit answers 429 ERR_RATE_LIMITED (or 400) with Retry-After, and touches no one else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform(
    { database: 'pglite', brokerState: 'memory' },
    {
      API_RATE_PER_MINUTE: '8',
      API_ADMIN_RATE_PER_MINUTE: '1000',
      ROOM_CREATE_PER_MINUTE: '2',
      ROOM_CREATE_MAX_MEMBERS: '3',
      SEND_RATE_PER_SECOND: '1',
      SEND_BURST: '2',
    },
  );
});
afterAll(async () => platform?.stop());

const errorCode = (r: { json: { error?: { code?: string } } }) => r.json.error?.code;

async function newUserToken(name: string, deviceId = 'phone'): Promise<{ userId: string; token: string }> {
  const userId = await platform.createUser(name);
  return { userId, token: await platform.tokenFor(userId, deviceId) };
}

describe('requests per minute', () => {
  it('answers a user device beyond API_RATE_PER_MINUTE with 429 ERR_RATE_LIMITED and Retry-After, and no other device', async () => {
    const { userId, token } = await newUserToken('busy');
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) statuses.push((await platform.as(token, 'GET', '/v1/rooms')).status);
    expect(statuses).toEqual(Array(8).fill(200));
    const limited = await platform.as(token, 'GET', '/v1/rooms');
    expect([limited.status, errorCode(limited)]).toEqual([429, 'ERR_RATE_LIMITED']);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.json.error.details.retryAfterMs).toBeGreaterThan(0);

    const otherDevice = await platform.tokenFor(userId, 'tablet');
    expect((await platform.as(otherDevice, 'GET', '/v1/rooms')).status).toBe(200);
    expect((await platform.admin('GET', `/v1/rooms/unknown`)).status).toBe(404); // the admin has its own budget
  });

  it('counts requests without a valid credential against their IP address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 9; i += 1) statuses.push((await platform.as('not-a-token', 'GET', '/v1/rooms')).status);
    expect(statuses).toEqual([...Array(8).fill(401), 429]);
  });

  it('never limits /healthz and /metrics', async () => {
    for (let i = 0; i < 30; i += 1) {
      expect((await platform.api.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      expect((await platform.api.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    }
  });
});

describe('room creation', () => {
  it('lets a user create ROOM_CREATE_PER_MINUTE rooms, then answers 429 with the wait until the next one', async () => {
    const { token } = await newUserToken('founder');
    const create = () => platform.as(token, 'POST', '/v1/rooms', { name: 'r', kind: 'group', members: [] });
    expect([(await create()).status, (await create()).status]).toEqual([201, 201]);
    const third = await create();
    expect([third.status, errorCode(third)]).toEqual([429, 'ERR_RATE_LIMITED']);
    expect(Number(third.headers['retry-after'])).toBe(30); // 2 per minute: one every 30 s
    expect((await platform.admin('POST', '/v1/rooms', { name: 'r', kind: 'group', members: [] })).status).toBe(201);
  });

  it('refuses a room naming more than ROOM_CREATE_MAX_MEMBERS members with 400', async () => {
    const ids = await Promise.all(['m1', 'm2', 'm3', 'm4'].map((name) => platform.createUser(name)));
    const tooMany = await platform.admin('POST', '/v1/rooms', { name: 'big', kind: 'group', members: ids });
    expect([tooMany.status, errorCode(tooMany)]).toEqual([400, 'ERR_REQUEST_INVALID']);
    expect((await platform.admin('POST', '/v1/rooms', { name: 'ok', kind: 'group', members: ids.slice(0, 3) })).status).toBe(201);
  });
});

describe('sends over REST', () => {
  it('share the per-device send budget with MQTT: beyond SEND_BURST, 429 ERR_RATE_LIMITED with Retry-After', async () => {
    const { userId, token } = await newUserToken('bot');
    const room = await platform.createRoom([userId]);
    const send = (clientMsgId: string) =>
      platform.as(token, 'POST', `/v1/rooms/${room.id}/messages`, { clientMsgId, roomVersion: 1, body: '' });
    expect([(await send('b1')).status, (await send('b2')).status]).toEqual([201, 201]);
    const limited = await send('b3');
    expect([limited.status, errorCode(limited), limited.headers['retry-after']]).toEqual([429, 'ERR_RATE_LIMITED', '1']);
  });
});
