/**
 * The FCM stub's OAuth2 token endpoint, answering like Google's (`oauth2.googleapis.com/token`):
 * it takes an RS256 JWT-bearer assertion from a registered service account and issues an access
 * token that the stub's `messages:send` then accepts until it expires or is revoked.
 */
import { randomBytes } from 'node:crypto';
import { createDecoder, createVerifier } from 'fast-jwt';
import { FCM_SCOPE } from '../push/index.js';
import type { StubReply, StubRequest } from './stub-server.js';

const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Google's limit on an assertion's lifetime, and its allowance for skewed clocks. */
const MAX_ASSERTION_LIFETIME_S = 3600;
const CLOCK_SKEW_S = 300;

export interface FcmStubAccount {
  clientEmail: string;
  /** The public half of the service account's key, SPKI PEM. */
  publicKeyPem: string;
}

export interface IssuedAccessToken {
  accessToken: string;
  clientEmail: string;
  issuedAtMs: number;
  expiresAtMs: number;
}

export interface AccessTokenIssuer {
  /** Answers a token request; `tokenUri` is the audience the assertion must name. */
  handle(request: StubRequest, reply: StubReply, tokenUri: string, nowMs: number): void;
  /** Whether `authorization` carries a live token this endpoint issued. */
  isAuthorized(authorization: string | undefined, nowMs: number): boolean;
  issued(): IssuedAccessToken[];
  /** Every token issued so far stops working, as after a key rotation. */
  revokeAll(): void;
}

export function createAccessTokenIssuer(
  accounts: readonly FcmStubAccount[],
  options: { accessTokenTtlSeconds: number },
): AccessTokenIssuer {
  const decode = createDecoder();
  const verifiers = new Map(
    accounts.map((a) => [a.clientEmail, createVerifier({ key: a.publicKeyPem, algorithms: ['RS256'], ignoreExpiration: true })]),
  );
  const issued: IssuedAccessToken[] = [];
  const live = new Map<string, IssuedAccessToken>();

  const checkAssertion = (assertion: string, tokenUri: string, nowS: number): { clientEmail: string } | string => {
    let claims: { iss?: unknown; scope?: unknown; aud?: unknown; iat?: unknown; exp?: unknown };
    try {
      claims = decode(assertion) as typeof claims;
    } catch {
      return 'Invalid JWT: malformed';
    }
    const verify = typeof claims.iss === 'string' ? verifiers.get(claims.iss) : undefined;
    if (verify === undefined) return 'Invalid grant: account not found';
    try {
      verify(assertion);
    } catch {
      return 'Invalid JWT Signature.';
    }
    if (claims.aud !== tokenUri) return `Invalid JWT: Failed audience check. The right audience is ${tokenUri}`;
    if (typeof claims.scope !== 'string' || !claims.scope.split(' ').includes(FCM_SCOPE))
      return 'Invalid JWT: scope does not include firebase.messaging';
    const { iat, exp } = claims;
    const isTimely =
      typeof iat === 'number' &&
      typeof exp === 'number' &&
      exp - iat <= MAX_ASSERTION_LIFETIME_S &&
      iat <= nowS + CLOCK_SKEW_S &&
      exp > nowS - CLOCK_SKEW_S;
    if (!isTimely)
      return 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.';
    return { clientEmail: claims.iss as string };
  };

  return {
    handle(request, reply, tokenUri, nowMs) {
      if (request.method !== 'POST') return reply.send(405, { error: 'invalid_request', error_description: 'POST required' });
      const form = new URLSearchParams(request.body.toString('utf8'));
      const grantType = form.get('grant_type');
      if (grantType !== JWT_BEARER_GRANT)
        return reply.send(400, { error: 'unsupported_grant_type', error_description: `Invalid grant_type: ${grantType ?? ''}` });
      const checked = checkAssertion(form.get('assertion') ?? '', tokenUri, Math.floor(nowMs / 1000));
      if (typeof checked === 'string') return reply.send(400, { error: 'invalid_grant', error_description: checked });
      const token: IssuedAccessToken = {
        accessToken: `ya29.stub-${randomBytes(24).toString('base64url')}`,
        clientEmail: checked.clientEmail,
        issuedAtMs: nowMs,
        expiresAtMs: nowMs + options.accessTokenTtlSeconds * 1000,
      };
      issued.push(token);
      for (const [accessToken, { expiresAtMs }] of live) if (expiresAtMs <= nowMs) live.delete(accessToken);
      live.set(token.accessToken, token);
      reply.send(200, { access_token: token.accessToken, expires_in: options.accessTokenTtlSeconds, token_type: 'Bearer' });
    },
    isAuthorized(authorization, nowMs) {
      const bearer = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
      const token = bearer === undefined ? undefined : live.get(bearer);
      return token !== undefined && nowMs < token.expiresAtMs;
    },
    issued: () => [...issued],
    revokeAll: () => live.clear(),
  };
}
