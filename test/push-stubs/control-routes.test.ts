/**
 * The stubs' HTTP control surface, driven the way the simulator drives it: from a separate HTTP/1.1
 * client (fetch) that holds no stub object, while our providers push over the stubs' real APIs.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApnsProvider, createFcmProvider, type PushProvider } from '../../push/index.js';
import {
  createStubCredentials,
  startApnsStub,
  startFcmStub,
  type ApnsStub,
  type FcmStub,
  type StubCredentials,
} from '../../push-stubs/index.js';
import { alertMessage, apnsToken, createWallClockAtNow, fcmToken, type VirtualClock } from '../push/fixtures.js';

let credentials: StubCredentials;
let clock: VirtualClock;

async function control(baseUrl: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text === '' ? undefined : JSON.parse(text) };
}

beforeAll(() => {
  credentials = createStubCredentials();
});

describe('APNs stub control surface', () => {
  let stub: ApnsStub;
  let provider: PushProvider;

  beforeEach(async () => {
    clock = createWallClockAtNow();
    stub = await startApnsStub({ keys: [credentials.apns], topics: [credentials.apns.topic], clock });
    provider = createApnsProvider(
      { clock },
      {
        url: stub.url,
        topic: credentials.apns.topic,
        keyId: credentials.apns.keyId,
        teamId: credentials.apns.teamId,
        privateKeyPem: credentials.apns.privateKeyPem,
        requestTimeoutMs: 5000,
      },
    );
  });

  afterEach(async () => {
    await provider.close();
    await stub.close();
  });

  it('lists deliveries for a token as JSON', async () => {
    const token = apnsToken();
    await provider.send(alertMessage(token, clock));
    await provider.send(alertMessage(apnsToken(), clock));

    const answer = await control(stub.url, 'GET', `/_stub/deliveries?token=${token}`);

    expect(answer.status).toBe(200);
    expect(answer.json.deliveries).toEqual([
      expect.objectContaining({ token, pushType: 'alert', payload: expect.objectContaining({ roomId: 'r1' }) }),
    ]);
  });

  it('holds a GET with count until that many deliveries for the token have arrived', async () => {
    const token = apnsToken();
    const waiting = control(stub.url, 'GET', `/_stub/deliveries?token=${token}&count=2&waitMs=20000`);

    await provider.send(alertMessage(token, clock));
    await provider.send(alertMessage(token, clock));

    const answer = await waiting;
    expect(answer.json.deliveries.map((d: { token: string }) => d.token)).toEqual([token, token]);
  });

  it('answers a GET with count with what there is once waitMs has passed', async () => {
    const answer = await control(stub.url, 'GET', `/_stub/deliveries?token=${apnsToken()}&count=1&waitMs=50`);

    expect(answer).toEqual({ status: 200, json: { deliveries: [] } });
  });

  it('injects a fault that the next push meets', async () => {
    expect((await control(stub.url, 'POST', '/_stub/faults', { kind: 'status', status: 503, retryAfterSeconds: 2 })).status).toBe(204);

    expect(await provider.send(alertMessage(apnsToken(), clock))).toEqual({
      kind: 'retry',
      reason: 'ServiceUnavailable',
      retryAfterMs: 2000,
    });
    expect((await provider.send(alertMessage(apnsToken(), clock))).kind).toBe('delivered');
  });

  it('marks a token unregistered, so APNs answers 410 for it', async () => {
    const token = apnsToken();

    expect((await control(stub.url, 'PUT', `/_stub/tokens/${token}`, { state: 'unregistered' })).status).toBe(204);

    expect(await provider.send(alertMessage(token, clock))).toEqual({ kind: 'token-dead', reason: 'Unregistered' });
  });

  it('clears deliveries and faults', async () => {
    await provider.send(alertMessage(apnsToken(), clock));
    await control(stub.url, 'POST', '/_stub/faults', { kind: 'hang', count: 5 });

    expect((await control(stub.url, 'DELETE', '/_stub/deliveries')).status).toBe(204);
    expect((await control(stub.url, 'DELETE', '/_stub/faults')).status).toBe(204);

    expect(stub.deliveries.list()).toEqual([]);
    expect((await provider.send(alertMessage(apnsToken(), clock))).kind).toBe('delivered');
  });

  it('answers 400 to a malformed fault and 404 to an unknown control call', async () => {
    expect(await control(stub.url, 'POST', '/_stub/faults', { kind: 'status', status: 418 })).toEqual({
      status: 400,
      json: { error: { code: 'ERR_PUSH_STUB_BAD_REQUEST', message: 'status must be 429, 500 or 503' } },
    });
    expect((await control(stub.url, 'GET', '/_stub/nothing')).json.error.code).toBe('ERR_PUSH_STUB_NOT_FOUND');
  });
});

describe('FCM stub control surface', () => {
  let stub: FcmStub;
  let provider: PushProvider;

  beforeEach(async () => {
    clock = createWallClockAtNow();
    stub = await startFcmStub({
      projectId: credentials.fcm.projectId,
      accounts: [{ clientEmail: credentials.fcm.serviceAccount.client_email, publicKeyPem: credentials.fcm.publicKeyPem }],
      clock,
    });
    provider = createFcmProvider(
      { clock },
      {
        url: stub.url,
        projectId: credentials.fcm.projectId,
        credentials: { ...credentials.fcm.serviceAccount, token_uri: stub.tokenUri },
        requestTimeoutMs: 5000,
      },
    );
  });

  afterEach(async () => {
    await provider.close();
    await stub.close();
  });

  it('serves the same control calls: a fault for one token, a token state, and the delivery list', async () => {
    const flaky = fcmToken();
    const gone = fcmToken();
    await control(stub.url, 'POST', '/_stub/faults', { kind: 'status', status: 429, retryAfterSeconds: 9, token: flaky });
    await control(stub.url, 'PUT', `/_stub/tokens/${encodeURIComponent(gone)}`, { state: 'unregistered' });

    expect(await provider.send(alertMessage(fcmToken(), clock))).toMatchObject({ kind: 'delivered' });
    expect(await provider.send(alertMessage(flaky, clock))).toMatchObject({ kind: 'retry', retryAfterMs: 9000 });
    expect(await provider.send(alertMessage(gone, clock))).toMatchObject({ kind: 'token-dead' });
    expect(await provider.send(alertMessage(flaky, clock))).toMatchObject({ kind: 'delivered' });

    const answer = await control(stub.url, 'GET', `/_stub/deliveries?token=${encodeURIComponent(flaky)}`);
    expect(answer.json.deliveries).toEqual([expect.objectContaining({ token: flaky, collapseKey: 'room-r1' })]);
  });
});
