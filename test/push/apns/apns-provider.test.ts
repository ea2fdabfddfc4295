/** The APNs client against the APNs stub, over real HTTP/2 sockets. */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../../devtools/index.js';
import { createApnsProvider, type ApnsProviderOptions, type PushProvider } from '../../../push/index.js';
import { createStubCredentials, startApnsStub, type ApnsStub, type StubCredentials } from '../../../push-stubs/index.js';
import { createSelfSignedCertificate } from '../../support/tls-certs.js';
import { alertMessage, apnsToken, backgroundMessage, createWallClockAtNow, type VirtualClock } from '../fixtures.js';

const MINUTE_MS = 60_000;

let credentials: StubCredentials;
let clock: VirtualClock;
let stub: ApnsStub;
let provider: PushProvider;

const startProvider = (overrides: Partial<ApnsProviderOptions> = {}): PushProvider =>
  createApnsProvider(
    { clock },
    {
      url: stub.url,
      topic: credentials.apns.topic,
      keyId: credentials.apns.keyId,
      teamId: credentials.apns.teamId,
      privateKeyPem: credentials.apns.privateKeyPem,
      requestTimeoutMs: 5_000,
      ...overrides,
    },
  );

beforeAll(() => {
  credentials = createStubCredentials();
});

beforeEach(async () => {
  clock = createWallClockAtNow();
  stub = await startApnsStub({ keys: [credentials.apns], topics: [credentials.apns.topic], clock });
  provider = startProvider();
});

afterEach(async () => {
  await provider.close();
  await stub.close();
});

describe('APNs provider: delivery', () => {
  it('delivers an alert with priority 10, the collapse id, the expiration and the aps alert beside the data', async () => {
    const token = apnsToken();
    const message = alertMessage(token, clock);

    const outcome = await provider.send(message);

    const [delivery] = stub.deliveries.list({ token });
    expect(outcome).toEqual({ kind: 'delivered', providerId: delivery!.apnsId });
    expect(delivery).toMatchObject({
      topic: credentials.apns.topic,
      pushType: 'alert',
      priority: 10,
      collapseId: 'room-r1',
      expiration: Math.floor(message.expiresAtMs / 1000),
      payload: {
        aps: { alert: { title: 'Ada', body: 'Lunch at noon?' }, badge: 3, sound: 'default', 'thread-id': 'room-r1' },
        roomId: 'r1',
        seq: '42',
      },
    });
  });

  it('delivers a background push as content-available with priority 5 and no alert or sound', async () => {
    const token = apnsToken();

    const outcome = await provider.send(backgroundMessage(token, clock));

    expect(outcome.kind).toBe('delivered');
    const [delivery] = stub.deliveries.list({ token });
    expect(delivery).toMatchObject({ pushType: 'background', priority: 5 });
    expect(delivery!.payload).toEqual({ aps: { 'content-available': 1, badge: 2 }, roomId: 'r1', seq: '43', kind: 'tickle' });
  });

  it('hashes a collapse key longer than 64 bytes into a collapse id that still groups the room', async () => {
    const token = apnsToken();
    const collapseKey = `room-${'x'.repeat(80)}`;

    await provider.send(alertMessage(token, clock, { collapseKey }));
    await provider.send(alertMessage(token, clock, { collapseKey }));

    const [first, second] = stub.deliveries.list({ token });
    expect(Buffer.byteLength(first!.collapseId!)).toBeLessThanOrEqual(64);
    expect(second!.collapseId).toBe(first!.collapseId);
    expect(first!.payload).toMatchObject({ aps: { 'thread-id': collapseKey } });
  });

  it('sends a retried push with the same apns-id when the message carries a dedup key', async () => {
    const token = apnsToken();
    const data = { roomId: 'r1', seq: '42', dedupKey: 'u1:r1:42' };

    const first = await provider.send(alertMessage(token, clock, { data }));
    const again = await provider.send(alertMessage(token, clock, { data }));
    const other = await provider.send(alertMessage(token, clock, { data: { ...data, dedupKey: 'u1:r1:43' } }));

    const ids = stub.deliveries.list({ token }).map((d) => d.apnsId);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);
    expect([first, again, other]).toEqual(ids.map((id) => ({ kind: 'delivered', providerId: id })));
  });

  it('gives a push without a dedup key a fresh random apns-id', async () => {
    const token = apnsToken();

    await provider.send(alertMessage(token, clock));
    await provider.send(alertMessage(token, clock));

    const [a, b] = stub.deliveries.list({ token }).map((d) => d.apnsId);
    expect(a).not.toBe(b);
  });
});

describe('APNs provider: provider token', () => {
  it('reuses one JWT across requests and mints a new one once the clock passes 50 minutes', async () => {
    const token = apnsToken();
    await provider.send(alertMessage(token, clock));
    clock.advance(25 * MINUTE_MS);
    await provider.send(alertMessage(token, clock));
    clock.advance(24 * MINUTE_MS); // 49 min: still the first token
    await provider.send(alertMessage(token, clock));
    clock.advance(2 * MINUTE_MS); // 51 min
    await provider.send(alertMessage(token, clock));
    clock.advance(10 * MINUTE_MS); // 10 min into the second token
    await provider.send(alertMessage(token, clock));

    const jwts = stub.deliveries.list({ token }).map((d) => d.providerToken);
    expect(jwts.slice(0, 3)).toEqual([jwts[0], jwts[0], jwts[0]]);
    expect(jwts[3]).not.toBe(jwts[0]);
    expect(jwts[4]).toBe(jwts[3]);
    const header = JSON.parse(Buffer.from(jwts[0]!.split('.')[0]!, 'base64url').toString('utf8'));
    const claims = JSON.parse(Buffer.from(jwts[3]!.split('.')[1]!, 'base64url').toString('utf8'));
    expect(header).toMatchObject({ alg: 'ES256', kid: credentials.apns.keyId });
    expect(claims).toEqual({ iss: credentials.apns.teamId, iat: Math.floor(clock.now() / 1000) - 10 * 60 });
  });

  it('mints a fresh JWT and resends once when APNs, whose clock runs ahead, calls the token expired', async () => {
    const stubClock = createVirtualClock(clock.now());
    await stub.close();
    stub = await startApnsStub({ keys: [credentials.apns], topics: [credentials.apns.topic], clock: stubClock });
    await provider.close();
    provider = startProvider();
    const token = apnsToken();
    await provider.send(alertMessage(token, clock));

    clock.advance(30 * MINUTE_MS);
    stubClock.advance(61 * MINUTE_MS);
    const outcome = await provider.send(alertMessage(token, clock));

    expect(outcome.kind).toBe('delivered');
    const [before, after] = stub.deliveries.list({ token }).map((d) => d.providerToken);
    expect(after).not.toBe(before);
  });

  it('asks to retry later, not to mint again, when APNs calls a token younger than 20 minutes expired', async () => {
    const stubClock = createVirtualClock(clock.now() + 2 * 3600_000);
    await stub.close();
    stub = await startApnsStub({ keys: [credentials.apns], topics: [credentials.apns.topic], clock: stubClock });
    await provider.close();
    provider = startProvider();

    const outcome = await provider.send(alertMessage(apnsToken(), clock));

    expect(outcome).toEqual({ kind: 'retry', reason: 'ExpiredProviderToken', retryAfterMs: 20 * MINUTE_MS });
  });

  it('is refused for good when signed with a key APNs does not know', async () => {
    await provider.close();
    const stranger = createStubCredentials().apns;
    provider = startProvider({ privateKeyPem: stranger.privateKeyPem });

    expect(await provider.send(alertMessage(apnsToken(), clock))).toEqual({ kind: 'rejected', reason: 'InvalidProviderToken' });
  });
});

describe('APNs provider: answers that condemn the token', () => {
  it('reports token-dead on 410 Unregistered', async () => {
    const token = apnsToken();
    stub.setTokenState(token, { state: 'unregistered', sinceMs: clock.now() });

    expect(await provider.send(alertMessage(token, clock))).toEqual({ kind: 'token-dead', reason: 'Unregistered' });
  });

  it('reports token-dead on 400 BadDeviceToken, for a token APNs never issued and for one that is not hex', async () => {
    const token = apnsToken();
    stub.setTokenState(token, { state: 'bad' });

    expect(await provider.send(alertMessage(token, clock))).toEqual({ kind: 'token-dead', reason: 'BadDeviceToken' });
    expect(await provider.send(alertMessage('not-a-device-token', clock))).toEqual({ kind: 'token-dead', reason: 'BadDeviceToken' });
  });

  it('reports token-dead on 400 DeviceTokenNotForTopic', async () => {
    const token = apnsToken();
    stub.setTokenState(token, { state: 'wrong-app' });

    expect(await provider.send(alertMessage(token, clock))).toEqual({ kind: 'token-dead', reason: 'DeviceTokenNotForTopic' });
  });
});

describe('APNs provider: refusals and transient failures', () => {
  it('rejects a payload over 4 KB (413 PayloadTooLarge) without blaming the token', async () => {
    const outcome = await provider.send(alertMessage(apnsToken(), clock, { alert: { title: 'big', body: 'x'.repeat(5000) } }));

    expect(outcome).toEqual({ kind: 'rejected', reason: 'PayloadTooLarge' });
  });

  it('asks to retry after Retry-After on 429', async () => {
    stub.injectFault({ kind: 'status', status: 429, retryAfterSeconds: 7 });

    expect(await provider.send(alertMessage(apnsToken(), clock))).toEqual({ kind: 'retry', reason: 'TooManyRequests', retryAfterMs: 7000 });
  });

  it('asks to retry on 503 and 500, then delivers once the fault has passed', async () => {
    const token = apnsToken();
    stub.injectFault({ kind: 'status', status: 503, token });
    stub.injectFault({ kind: 'status', status: 500, token });

    expect(await provider.send(alertMessage(token, clock))).toEqual({ kind: 'retry', reason: 'ServiceUnavailable' });
    expect(await provider.send(alertMessage(token, clock))).toEqual({ kind: 'retry', reason: 'InternalServerError' });
    expect((await provider.send(alertMessage(token, clock))).kind).toBe('delivered');
  });

  it('asks to retry when APNs does not answer within requestTimeoutMs', async () => {
    await provider.close();
    provider = startProvider({ requestTimeoutMs: 150 });
    const token = apnsToken();
    stub.injectFault({ kind: 'hang', token });

    const outcome = await provider.send(alertMessage(token, clock));

    expect(outcome).toEqual({ kind: 'retry', reason: 'no answer within 150 ms' });
    expect((await provider.send(alertMessage(token, clock))).kind).toBe('delivered');
  });

  it('asks to retry on 503 Shutdown and sends the next push on a new connection after the GOAWAY', async () => {
    const token = apnsToken();
    await provider.send(alertMessage(token, clock));
    stub.injectFault({ kind: 'shutdown' });

    expect(await provider.send(alertMessage(token, clock))).toEqual({ kind: 'retry', reason: 'Shutdown' });
    expect((await provider.send(alertMessage(token, clock))).kind).toBe('delivered');
  });

  it('asks to retry when the connection drops mid-request, and reconnects for the next push', async () => {
    const token = apnsToken();
    await provider.send(alertMessage(token, clock));
    stub.injectFault({ kind: 'disconnect' });

    expect((await provider.send(alertMessage(token, clock))).kind).toBe('retry');
    expect((await provider.send(alertMessage(token, clock))).kind).toBe('delivered');
  });

  it('asks to retry while APNs is unreachable', async () => {
    await stub.close();

    expect((await provider.send(alertMessage(apnsToken(), clock))).kind).toBe('retry');
  });
});

describe('APNs provider: over TLS', () => {
  it('delivers over HTTPS to a stub with a self-signed certificate it was told to trust', async () => {
    const tls = await createSelfSignedCertificate();
    const secure = await startApnsStub({ keys: [credentials.apns], topics: [credentials.apns.topic], clock, tls });
    const client = startProvider({ url: secure.url, ca: tls.certPem });
    const token = apnsToken();

    const outcome = await client.send(alertMessage(token, clock));

    expect(secure.url).toMatch(/^https:/);
    expect(outcome.kind).toBe('delivered');
    expect(secure.deliveries.list({ token })).toHaveLength(1);
    await client.close();
    await secure.close();
  });

  it('refuses to push to a server whose certificate it does not trust', async () => {
    const secure = await startApnsStub({
      keys: [credentials.apns],
      topics: [credentials.apns.topic],
      clock,
      tls: await createSelfSignedCertificate(),
    });
    const client = startProvider({ url: secure.url });

    const outcome = await client.send(alertMessage(apnsToken(), clock));

    expect(outcome).toMatchObject({ kind: 'retry', reason: expect.stringMatching(/self-signed certificate/) });
    expect(secure.deliveries.list()).toEqual([]);
    await client.close();
    await secure.close();
  });
});
