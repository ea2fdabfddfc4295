/** The FCM client against the FCM stub (messages:send and the OAuth token endpoint), over real sockets. */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFcmProvider, type FcmProviderOptions, type PushProvider } from '../../../push/index.js';
import { createStubCredentials, startFcmStub, type FcmStub, type StubCredentials } from '../../../push-stubs/index.js';
import { alertMessage, backgroundMessage, createWallClockAtNow, fcmToken, type VirtualClock } from '../fixtures.js';

const MINUTE_MS = 60_000;

let credentials: StubCredentials;
let clock: VirtualClock;
let stub: FcmStub;
let provider: PushProvider;

const startProvider = (overrides: Partial<FcmProviderOptions> = {}): PushProvider =>
  createFcmProvider(
    { clock },
    {
      url: stub.url,
      projectId: credentials.fcm.projectId,
      credentials: { ...credentials.fcm.serviceAccount, token_uri: stub.tokenUri },
      requestTimeoutMs: 5_000,
      ...overrides,
    },
  );

beforeAll(() => {
  credentials = createStubCredentials();
});

beforeEach(async () => {
  clock = createWallClockAtNow();
  stub = await startFcmStub({
    projectId: credentials.fcm.projectId,
    accounts: [{ clientEmail: credentials.fcm.serviceAccount.client_email, publicKeyPem: credentials.fcm.publicKeyPem }],
    clock,
  });
  provider = startProvider();
});

afterEach(async () => {
  await provider.close();
  await stub.close();
});

describe('FCM provider: delivery', () => {
  it('delivers an alert with a notification, high Android priority, the ttl and the APNs headers', async () => {
    const token = fcmToken();
    const message = alertMessage(token, clock);

    const outcome = await provider.send(message);

    const [delivery] = stub.deliveries.list({ token });
    expect(outcome).toEqual({ kind: 'delivered', providerId: delivery!.name });
    expect(delivery!.name).toMatch(new RegExp(`^projects/${credentials.fcm.projectId}/messages/`));
    expect(delivery!.message).toEqual({
      token,
      data: { roomId: 'r1', seq: '42' },
      notification: { title: 'Ada', body: 'Lunch at noon?' },
      android: { collapse_key: 'room-r1', priority: 'high', ttl: '3600s' },
      apns: {
        headers: {
          'apns-collapse-id': 'room-r1',
          'apns-priority': '10',
          'apns-expiration': String(Math.floor(message.expiresAtMs / 1000)),
        },
        payload: { aps: { badge: 3 } },
      },
    });
  });

  it('delivers a background push as data only, normal priority and content-available', async () => {
    const token = fcmToken();

    expect((await provider.send(backgroundMessage(token, clock))).kind).toBe('delivered');

    const [delivery] = stub.deliveries.list({ token });
    expect(delivery!.message.notification).toBeUndefined();
    expect(delivery!.message).toMatchObject({
      data: { roomId: 'r1', seq: '43', kind: 'tickle' },
      android: { priority: 'normal', ttl: '600s' },
      apns: { headers: { 'apns-priority': '5', 'apns-push-type': 'background' }, payload: { aps: { badge: 2, 'content-available': 1 } } },
    });
  });
});

describe('FCM provider: OAuth2 access token', () => {
  it('fetches one access token and reuses it, also for concurrent sends', async () => {
    const outcomes = await Promise.all([1, 2, 3].map(() => provider.send(alertMessage(fcmToken(), clock))));
    await provider.send(alertMessage(fcmToken(), clock));

    expect(outcomes.map((o) => o.kind)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(stub.issuedAccessTokens()).toHaveLength(1);
  });

  it('keeps the token until shortly before it expires, then fetches a new one', async () => {
    await provider.send(alertMessage(fcmToken(), clock));
    clock.advance(50 * MINUTE_MS); // the token lives 3599 s; refreshed 5 min before that
    await provider.send(alertMessage(fcmToken(), clock));
    expect(stub.issuedAccessTokens()).toHaveLength(1);

    clock.advance(6 * MINUTE_MS);
    expect((await provider.send(alertMessage(fcmToken(), clock))).kind).toBe('delivered');

    const issued = stub.issuedAccessTokens();
    expect(issued).toHaveLength(2);
    expect(issued[1]!.issuedAtMs).toBe(clock.now());
  });

  it('fetches a new token once and resends when FCM answers 401', async () => {
    await provider.send(alertMessage(fcmToken(), clock));
    stub.revokeAccessTokens();

    expect((await provider.send(alertMessage(fcmToken(), clock))).kind).toBe('delivered');
    expect(stub.issuedAccessTokens()).toHaveLength(2);
  });

  it('rejects the push when the token endpoint refuses the service account', async () => {
    await provider.close();
    const stranger = createStubCredentials().fcm.serviceAccount;
    provider = startProvider({ credentials: { ...stranger, token_uri: stub.tokenUri } });

    const outcome = await provider.send(alertMessage(fcmToken(), clock));

    expect(outcome).toEqual({ kind: 'rejected', reason: 'oauth 400: invalid_grant Invalid grant: account not found' });
  });
});

describe('FCM provider: answers that condemn the token', () => {
  it('reports token-dead on 404 UNREGISTERED', async () => {
    const token = fcmToken();
    stub.setTokenState(token, { state: 'unregistered', sinceMs: clock.now() });

    expect(await provider.send(alertMessage(token, clock))).toEqual({
      kind: 'token-dead',
      reason: 'UNREGISTERED: Requested entity was not found.',
    });
  });

  it('reports token-dead on 400 INVALID_ARGUMENT about the token, for a revoked token and a malformed one', async () => {
    const token = fcmToken();
    stub.setTokenState(token, { state: 'bad' });

    expect((await provider.send(alertMessage(token, clock))).kind).toBe('token-dead');
    expect((await provider.send(alertMessage('not a token!', clock))).kind).toBe('token-dead');
  });

  it('reports token-dead on 403 SENDER_ID_MISMATCH', async () => {
    const token = fcmToken();
    stub.setTokenState(token, { state: 'wrong-app' });

    expect(await provider.send(alertMessage(token, clock))).toEqual({
      kind: 'token-dead',
      reason: 'SENDER_ID_MISMATCH: SenderId mismatch',
    });
  });
});

describe('FCM provider: refusals and transient failures', () => {
  it('rejects a payload over 4 KB (400 INVALID_ARGUMENT) without blaming the token', async () => {
    const outcome = await provider.send(alertMessage(fcmToken(), clock, { data: { roomId: 'r1', preview: 'x'.repeat(5000) } }));

    expect(outcome.kind).toBe('rejected');
    expect(outcome).toMatchObject({ reason: expect.stringMatching(/^INVALID_ARGUMENT: Message is too big/) });
  });

  it('asks to retry after Retry-After on 429', async () => {
    stub.injectFault({ kind: 'status', status: 429, retryAfterSeconds: 30 });

    expect(await provider.send(alertMessage(fcmToken(), clock))).toEqual({
      kind: 'retry',
      reason: 'QUOTA_EXCEEDED: stub fault: RESOURCE_EXHAUSTED',
      retryAfterMs: 30_000,
    });
  });

  it('asks to retry on 503 and 500, then delivers once the fault has passed', async () => {
    const token = fcmToken();
    stub.injectFault({ kind: 'status', status: 503, token, retryAfterSeconds: 1 });
    stub.injectFault({ kind: 'status', status: 500, token });

    expect(await provider.send(alertMessage(token, clock))).toMatchObject({ kind: 'retry', retryAfterMs: 1000 });
    expect(await provider.send(alertMessage(token, clock))).toEqual({ kind: 'retry', reason: 'INTERNAL: stub fault: INTERNAL' });
    expect((await provider.send(alertMessage(token, clock))).kind).toBe('delivered');
  });

  it('asks to retry when FCM does not answer within requestTimeoutMs', async () => {
    await provider.close();
    provider = startProvider({ requestTimeoutMs: 150 });
    const token = fcmToken();
    await provider.send(alertMessage(token, clock)); // the access token is fetched before the fault
    stub.injectFault({ kind: 'hang', token });

    expect(await provider.send(alertMessage(token, clock))).toEqual({ kind: 'retry', reason: 'no answer within 150 ms' });
    expect((await provider.send(alertMessage(token, clock))).kind).toBe('delivered');
  });

  it('asks to retry when the connection drops mid-request', async () => {
    const token = fcmToken();
    stub.injectFault({ kind: 'disconnect', token });

    expect(await provider.send(alertMessage(token, clock))).toMatchObject({
      kind: 'retry',
      reason: expect.stringMatching(/^network error/),
    });
    expect((await provider.send(alertMessage(token, clock))).kind).toBe('delivered');
  });

  it('asks to retry while FCM and its token endpoint are unreachable', async () => {
    await stub.close();

    expect(await provider.send(alertMessage(fcmToken(), clock))).toMatchObject({
      kind: 'retry',
      reason: expect.stringMatching(/^oauth: network error/),
    });
  });
});
