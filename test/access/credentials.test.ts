/** Who a CONNECT is: the decision both the embedded broker and the API's authentication endpoint for an external broker answer with. */
import { describe, expect, it } from 'vitest';
import { CONNACK_IDENTIFIER_REJECTED, CONNACK_NOT_AUTHORIZED, decideCredentials } from '../../access/index.js';
import { createTokenService } from '../../lib/tokens.js';

const nowMs = 1_800_000_000_000;
const tokens = createTokenService({ secret: 'credentials-test-secret-0123456789abcdef', ttlSeconds: 3600, now: () => nowMs });
const deps = { tokens, adminToken: 'the-admin-token-0123' };

describe('decideCredentials', () => {
  it('accepts a device whose token subject is the username and whose client id is {userId}:{deviceId}', () => {
    const { token, expiresAtMs } = tokens.issue('alice', 'phone');
    const { issuedAtMs } = tokens.verify(token);
    expect(decideCredentials(deps, { clientId: 'alice:phone', username: 'alice', password: token })).toEqual({
      accept: true,
      identity: { kind: 'device', userId: 'alice', deviceId: 'phone', tokenExpiresAtMs: expiresAtMs, tokenIssuedAtMs: issuedAtMs },
    });
  });

  it('refuses a bad token (5), another username (5), another device (2)', () => {
    const { token } = tokens.issue('alice', 'phone');
    expect(decideCredentials(deps, { clientId: 'alice:phone', username: 'alice', password: 'junk' })).toMatchObject({
      accept: false,
      returnCode: CONNACK_NOT_AUTHORIZED,
      reason: 'token_invalid',
      tokenError: 'ERR_AUTH_TOKEN_INVALID',
    });
    expect(decideCredentials(deps, { clientId: 'alice:phone', username: 'bob', password: token })).toMatchObject({
      returnCode: CONNACK_NOT_AUTHORIZED,
      reason: 'username_not_token_subject',
    });
    expect(decideCredentials(deps, { clientId: 'alice:tablet', username: 'alice', password: token })).toMatchObject({
      returnCode: CONNACK_IDENTIFIER_REJECTED,
      reason: 'client_id_not_device',
    });
  });

  it('refuses an expired token, by the injected clock', () => {
    const issuedEarlier = createTokenService({
      secret: 'credentials-test-secret-0123456789abcdef',
      ttlSeconds: 60,
      now: () => nowMs - 120_000,
    });
    const { token } = issuedEarlier.issue('alice', 'phone');
    expect(decideCredentials(deps, { clientId: 'alice:phone', username: 'alice', password: token })).toMatchObject({
      accept: false,
      tokenError: 'ERR_AUTH_TOKEN_EXPIRED',
    });
  });

  it('accepts the platform service only with the admin token', () => {
    expect(decideCredentials(deps, { clientId: 'chat-bridge', username: '$platform', password: 'the-admin-token-0123' })).toEqual({
      accept: true,
      identity: { kind: 'service' },
    });
    expect(decideCredentials(deps, { clientId: 'chat-bridge', username: '$platform', password: 'the-admin-token-012' })).toMatchObject({
      accept: false,
      reason: 'bad_service_credential',
    });
  });
});
