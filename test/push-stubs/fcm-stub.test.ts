/**
 * The FCM stub answers like FCM and Google OAuth: plain fetch calls (not our provider) send what
 * a careless or stale client would, and get google.rpc errors back.
 */
import { createSigner } from 'fast-jwt';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FCM_SCOPE } from '../../push/index.js';
import { createStubCredentials, startFcmStub, type FcmStub, type StubCredentials } from '../../push-stubs/index.js';
import { createWallClockAtNow, fcmToken, type VirtualClock } from '../push/fixtures.js';

let credentials: StubCredentials;
let clock: VirtualClock;
let stub: FcmStub;

const assertion = (overrides: Record<string, unknown> = {}, privateKeyPem = credentials.fcm.serviceAccount.private_key) => {
  const iat = Math.floor(clock.now() / 1000);
  return createSigner({ key: privateKeyPem, algorithm: 'RS256' })({
    iss: credentials.fcm.serviceAccount.client_email,
    scope: FCM_SCOPE,
    aud: stub.tokenUri,
    iat,
    exp: iat + 3600,
    ...overrides,
  });
};

// `json: any`: answers are asserted on with toEqual/toMatchObject, which check their shape at run time.
async function requestToken(jwt: string, grantType = 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
  const response = await fetch(stub.tokenUri, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: grantType, assertion: jwt }).toString(),
  });
  return { status: response.status, json: (await response.json()) as any };
}

async function send(body: unknown, accessToken?: string) {
  const response = await fetch(`${stub.url}/v1/projects/${credentials.fcm.projectId}/messages:send`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(accessToken === undefined ? {} : { authorization: `Bearer ${accessToken}` }) },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as any };
}

const accessToken = async () => (await requestToken(assertion())).json.access_token as string;

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
});

afterEach(async () => {
  await stub.close();
});

describe('FCM stub: OAuth2 token endpoint', () => {
  it('exchanges a valid JWT-bearer assertion for a Bearer access token', async () => {
    expect(await requestToken(assertion())).toEqual({
      status: 200,
      json: { access_token: expect.stringMatching(/^ya29\./), expires_in: 3599, token_type: 'Bearer' },
    });
  });

  it('refuses an assertion with a bad signature, the wrong audience, the wrong scope or a stale iat', async () => {
    const stranger = createStubCredentials().fcm.serviceAccount.private_key;
    const now = Math.floor(clock.now() / 1000);
    const refusals = [
      [assertion({}, stranger), 'Invalid JWT Signature.'],
      [assertion({ aud: 'https://example.com/token' }), /^Invalid JWT: Failed audience check/],
      [assertion({ scope: 'https://www.googleapis.com/auth/cloud-platform.read-only' }), /scope/],
      [assertion({ iat: now - 7200, exp: now - 3600 }), /^Invalid JWT: Token must be a short-lived token/],
      [assertion({ iss: 'someone@else.iam.gserviceaccount.com' }), 'Invalid grant: account not found'],
    ] as const;
    for (const [jwt, description] of refusals) {
      const answer = await requestToken(jwt);
      expect(answer).toEqual({ status: 400, json: { error: 'invalid_grant', error_description: expect.stringMatching(description) } });
    }
    expect(stub.issuedAccessTokens()).toEqual([]);
  });

  it('refuses any grant type but the JWT bearer one', async () => {
    expect(await requestToken(assertion(), 'client_credentials')).toMatchObject({ status: 400, json: { error: 'unsupported_grant_type' } });
  });
});

describe('FCM stub: messages:send', () => {
  it('answers 401 UNAUTHENTICATED without a token it issued, and after the token expires', async () => {
    const message = { message: { token: fcmToken(), data: { a: 'b' } } };
    expect(await send(message)).toMatchObject({ status: 401, json: { error: { code: 401, status: 'UNAUTHENTICATED' } } });
    expect(await send(message, 'ya29.forged')).toMatchObject({ status: 401 });

    const token = await accessToken();
    expect((await send(message, token)).status).toBe(200);
    clock.advance(3600_000);
    expect((await send(message, token)).status).toBe(401);
  });

  it('answers 400 INVALID_ARGUMENT with a field violation to data values that are not strings', async () => {
    const answer = await send({ message: { token: fcmToken(), data: { roomId: 'r1', seq: 42 } } }, await accessToken());

    expect(answer).toEqual({
      status: 400,
      json: {
        error: {
          code: 400,
          status: 'INVALID_ARGUMENT',
          message: "Invalid value at 'message.data[1].value' (TYPE_STRING), 42",
          details: [
            { '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'INVALID_ARGUMENT' },
            {
              '@type': 'type.googleapis.com/google.rpc.BadRequest',
              fieldViolations: [
                { field: 'message.data[1].value', description: "Invalid value at 'message.data[1].value' (TYPE_STRING), 42" },
              ],
            },
          ],
        },
      },
    });
  });

  it('answers 400 INVALID_ARGUMENT to no target or two targets, a bad ttl, a payload over 4 KB and an unknown field', async () => {
    const token = await accessToken();
    const bodies = [
      { message: { data: {} } },
      { message: { token: fcmToken(), topic: 'news' } },
      { message: { token: fcmToken(), android: { ttl: '10 minutes' } } },
      { message: { token: fcmToken(), android: { ttl: `${29 * 24 * 3600}s` } } },
      { message: { token: fcmToken(), data: { big: 'x'.repeat(4100) } } },
      { message: { token: fcmToken(), urgency: 'high' } },
    ];
    for (const body of bodies) {
      expect(await send(body, token)).toMatchObject({ status: 400, json: { error: { status: 'INVALID_ARGUMENT' } } });
    }
    expect(stub.deliveries.list()).toEqual([]);
  });

  it('answers 404 NOT_FOUND with FcmError UNREGISTERED to an unregistered token', async () => {
    const target = fcmToken();
    stub.setTokenState(target, { state: 'unregistered', sinceMs: clock.now() });

    const answer = await send({ message: { token: target } }, await accessToken());

    expect(answer).toMatchObject({
      status: 404,
      json: {
        error: {
          status: 'NOT_FOUND',
          details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNREGISTERED' }],
        },
      },
    });
  });

  it('checks a validate_only message without recording a delivery', async () => {
    const answer = await send({ validate_only: true, message: { token: fcmToken(), data: { a: 'b' } } }, await accessToken());

    expect(answer).toEqual({ status: 200, json: { name: `projects/${credentials.fcm.projectId}/messages/fake_message_id` } });
    expect(stub.deliveries.list()).toEqual([]);
  });

  it('records a delivery with its collapse key and answers its name', async () => {
    const target = fcmToken();

    const answer = await send(
      { message: { token: target, data: { a: 'b' }, android: { collapse_key: 'room-1', ttl: '3.5s' } } },
      await accessToken(),
    );

    expect(answer.status).toBe(200);
    expect(stub.deliveries.list({ token: target })).toEqual([
      {
        token: target,
        name: answer.json.name,
        collapseKey: 'room-1',
        message: expect.objectContaining({ token: target }),
        receivedAtMs: clock.now(),
      },
    ]);
  });
});
