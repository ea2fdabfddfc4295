/**
 * The APNs stub answers like APNs: a raw HTTP/2 client (not our provider) sends what a careless
 * or stale client would, and gets Apple's status and reason back.
 */
import http2, { type ClientHttp2Session, type OutgoingHttpHeaders } from 'node:http2';
import { createSigner } from 'fast-jwt';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createStubCredentials, startApnsStub, type ApnsStub, type StubCredentials } from '../../push-stubs/index.js';
import { apnsToken, createWallClockAtNow, type VirtualClock } from '../push/fixtures.js';

let credentials: StubCredentials;
let clock: VirtualClock;
let stub: ApnsStub;
let session: ClientHttp2Session;

const jwt = (options: { iatMs?: number; keyId?: string; teamId?: string; privateKeyPem?: string } = {}) =>
  createSigner({
    key: options.privateKeyPem ?? credentials.apns.privateKeyPem,
    algorithm: 'ES256',
    kid: options.keyId ?? credentials.apns.keyId,
  })({
    iss: options.teamId ?? credentials.apns.teamId,
    iat: Math.floor((options.iatMs ?? clock.now()) / 1000),
  });

const validHeaders = (): OutgoingHttpHeaders => ({
  authorization: `bearer ${jwt()}`,
  'apns-topic': credentials.apns.topic,
  'apns-push-type': 'alert',
  'apns-priority': '10',
});

const validBody = JSON.stringify({ aps: { alert: { title: 't', body: 'b' } } });

/** One request on the shared session; resolves with the status, the reason and the apns-id header. */
function post(
  path: string,
  headers: OutgoingHttpHeaders,
  body = validBody,
  on = session,
): Promise<{ status: number; reason?: string; timestamp?: number; apnsId?: string }> {
  return new Promise((resolve, reject) => {
    const stream = on.request({ ':method': 'POST', ':path': path, ...headers });
    let status = 0;
    let apnsId: string | undefined;
    let text = '';
    stream.on('response', (h) => {
      status = Number(h[':status']);
      apnsId = h['apns-id'] as string | undefined;
    });
    stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    stream.on('end', () => resolve({ status, ...(text === '' ? {} : JSON.parse(text)), ...(apnsId === undefined ? {} : { apnsId }) }));
    stream.on('error', reject);
    stream.end(body);
  });
}

beforeAll(() => {
  credentials = createStubCredentials();
});

beforeEach(async () => {
  clock = createWallClockAtNow();
  stub = await startApnsStub({ keys: [credentials.apns], topics: [credentials.apns.topic], clock });
  session = http2.connect(stub.url);
});

afterEach(async () => {
  session.destroy();
  await stub.close();
});

describe('APNs stub: routes', () => {
  it('accepts POST /3/device/{token}, answers the apns-id it was given and records the push', async () => {
    const token = apnsToken();
    const apnsId = '123e4567-e89b-12d3-a456-426614174000';

    const answer = await post(`/3/device/${token}`, {
      ...validHeaders(),
      'apns-id': apnsId,
      'apns-collapse-id': 'c1',
      'apns-expiration': '0',
    });

    expect(answer).toEqual({ status: 200, apnsId });
    expect(stub.deliveries.list({ token })).toEqual([
      expect.objectContaining({
        token,
        apnsId,
        collapseId: 'c1',
        expiration: 0,
        payload: JSON.parse(validBody),
        receivedAtMs: clock.now(),
      }),
    ]);
  });

  it('answers 404 BadPath off /3/device/ and 405 MethodNotAllowed to other methods', async () => {
    expect(await post('/3/devices/abc', validHeaders())).toEqual({ status: 404, reason: 'BadPath' });
    const get = await new Promise<number>((resolve) => {
      const stream = session.request({ ':method': 'GET', ':path': `/3/device/${apnsToken()}`, ...validHeaders() });
      stream.on('response', (h) => resolve(Number(h[':status'])));
      stream.resume();
    });
    expect(get).toBe(405);
  });
});

describe('APNs stub: provider token', () => {
  it('answers 403 MissingProviderToken without a bearer token', async () => {
    const headers = validHeaders();
    delete headers.authorization;
    expect(await post(`/3/device/${apnsToken()}`, headers)).toEqual({ status: 403, reason: 'MissingProviderToken' });
  });

  it('answers 403 InvalidProviderToken to a wrong signature, an unknown key id and a foreign team', async () => {
    const stranger = createStubCredentials().apns;
    for (const bad of [
      jwt({ privateKeyPem: stranger.privateKeyPem }),
      jwt({ keyId: 'UNKNOWNKEY' }),
      jwt({ teamId: 'OTHERTEAM1' }),
      'not.a.jwt',
    ]) {
      expect(await post(`/3/device/${apnsToken()}`, { ...validHeaders(), authorization: `bearer ${bad}` })).toEqual({
        status: 403,
        reason: 'InvalidProviderToken',
      });
    }
  });

  it('answers 403 ExpiredProviderToken to a token issued more than an hour ago', async () => {
    const stale = jwt({ iatMs: clock.now() - 3601_000 });
    expect(await post(`/3/device/${apnsToken()}`, { ...validHeaders(), authorization: `bearer ${stale}` })).toEqual({
      status: 403,
      reason: 'ExpiredProviderToken',
    });
  });

  it('answers 429 TooManyProviderTokenUpdates to a new token on the same connection within 20 minutes', async () => {
    const token = apnsToken();
    expect((await post(`/3/device/${token}`, validHeaders())).status).toBe(200);
    clock.advance(60_000);
    const renewed = { ...validHeaders(), authorization: `bearer ${jwt()}` };

    expect(await post(`/3/device/${token}`, renewed)).toEqual({ status: 429, reason: 'TooManyProviderTokenUpdates' });
    const fresh = http2.connect(stub.url);
    expect((await post(`/3/device/${token}`, renewed, validBody, fresh)).status).toBe(200);
    fresh.destroy();
  });
});

describe('APNs stub: request checks', () => {
  const cases: [string, OutgoingHttpHeaders, string | undefined, number, string][] = [
    ['no apns-topic', { 'apns-topic': undefined }, undefined, 400, 'MissingTopic'],
    ['a topic of another app', { 'apns-topic': 'com.other.app' }, undefined, 400, 'TopicDisallowed'],
    ['an unknown push type', { 'apns-push-type': 'loud' }, undefined, 400, 'InvalidPushType'],
    ['priority 7', { 'apns-priority': '7' }, undefined, 400, 'BadPriority'],
    ['a non-integer expiration', { 'apns-expiration': 'tomorrow' }, undefined, 400, 'BadExpirationDate'],
    ['a 65-byte collapse id', { 'apns-collapse-id': 'c'.repeat(65) }, undefined, 400, 'BadCollapseId'],
    ['an apns-id that is not a UUID', { 'apns-id': 'push-1' }, undefined, 400, 'BadMessageId'],
    ['an empty payload', {}, '', 400, 'PayloadEmpty'],
    ['a payload that is not JSON', {}, '{aps', 400, 'BadPayload'],
    ['a payload over 4096 bytes', {}, JSON.stringify({ aps: {}, pad: 'x'.repeat(4096) }), 413, 'PayloadTooLarge'],
  ];
  for (const [what, override, body, status, reason] of cases) {
    it(`answers ${status} ${reason} to ${what}`, async () => {
      const headers = Object.fromEntries(Object.entries({ ...validHeaders(), ...override }).filter(([, v]) => v !== undefined));
      expect(await post(`/3/device/${apnsToken()}`, headers, body ?? validBody)).toEqual({ status, reason });
      expect(stub.deliveries.list()).toEqual([]);
    });
  }

  it('answers 400 BadDeviceToken to a token that is not hex', async () => {
    const headers = validHeaders();
    expect(await post('/3/device/zz-not-hex', headers)).toEqual({ status: 400, reason: 'BadDeviceToken' });
    expect(await post('/3/device/%zz', headers)).toEqual({ status: 400, reason: 'BadDeviceToken' });
  });

  it('answers 410 Unregistered with the time the token stopped being valid', async () => {
    const token = apnsToken();
    const sinceMs = clock.now() - 3600_000;
    stub.setTokenState(token, { state: 'unregistered', sinceMs });

    expect(await post(`/3/device/${token}`, validHeaders())).toEqual({ status: 410, reason: 'Unregistered', timestamp: sinceMs });
  });
});

describe('APNs stub: waiting for deliveries', () => {
  it('resolves a wait when the Nth delivery for the token arrives, not before', async () => {
    const token = apnsToken();
    const headers = validHeaders(); // one provider token for the connection, as a real client does
    const waited = stub.deliveries.waitFor(2, { token });
    let resolved = false;
    void waited.then(() => (resolved = true));

    expect((await post(`/3/device/${token}`, headers)).status).toBe(200);
    expect((await post(`/3/device/${apnsToken()}`, headers)).status).toBe(200);
    expect(resolved).toBe(false);
    expect((await post(`/3/device/${token}`, headers)).status).toBe(200);

    expect((await waited).map((d) => d.token)).toEqual([token, token]);
  });
});
