/**
 * OAuth2 for FCM, exactly Google's service-account flow (RFC 7523 JWT bearer grant): an RS256
 * assertion `{iss: client_email, scope, aud: token_uri, iat, exp}` posted to `token_uri` buys an
 * access token, which is cached until shortly before it expires.
 */
import { createSigner } from 'fast-jwt';
import type { PushOutcome } from '../provider.js';
import { parseRetryAfterMs } from '../retry-after.js';
import type { WallClock } from '../../lib/clock.js';
import { httpPost, parseJson, type HttpResult } from './http-post.js';

export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Google caps an assertion's lifetime at one hour. */
const ASSERTION_LIFETIME_S = 3600;
/** Refresh this long before expiry, as google-auth-library does, so a token never expires in flight. */
export const ACCESS_TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;

/** The fields of a service-account JSON key file this flow reads. */
export interface FcmServiceAccount {
  client_email: string;
  /** RSA private key, PEM. */
  private_key: string;
  token_uri: string;
  private_key_id?: string;
}

export type AccessTokenResult = { kind: 'token'; accessToken: string } | { kind: 'failed'; outcome: PushOutcome };

export interface AccessTokenSource {
  /** The cached token, or a new one; concurrent callers share one fetch. */
  get(): Promise<AccessTokenResult>;
  /** FCM refused `accessToken` (401): the next `get()` fetches a new one, unless that already happened. */
  invalidate(accessToken: string): void;
}

export function createAccessTokenSource(
  deps: { clock: WallClock; signal: AbortSignal },
  options: { credentials: FcmServiceAccount; requestTimeoutMs: number },
): AccessTokenSource {
  const { credentials } = options;
  const sign = createSigner({
    key: credentials.private_key,
    algorithm: 'RS256',
    ...(credentials.private_key_id === undefined ? {} : { kid: credentials.private_key_id }),
  });
  let cached: { accessToken: string; refreshAtMs: number } | undefined;
  let inFlight: Promise<AccessTokenResult> | undefined;

  const fetchToken = async (): Promise<AccessTokenResult> => {
    const iat = Math.floor(deps.clock.now() / 1000);
    const claims = { iss: credentials.client_email, scope: FCM_SCOPE, aud: credentials.token_uri, iat, exp: iat + ASSERTION_LIFETIME_S };
    const result = await httpPost(credentials.token_uri, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion: sign(claims) }).toString(),
      timeoutMs: options.requestTimeoutMs,
      signal: deps.signal,
    });
    const nowMs = deps.clock.now();
    const answer = readTokenAnswer(result, nowMs);
    if (answer.kind === 'failed') return answer;
    // A token shorter-lived than twice the margin is still used for half its life.
    const marginMs = Math.min(ACCESS_TOKEN_REFRESH_MARGIN_MS, answer.lifetimeMs / 2);
    cached = { accessToken: answer.accessToken, refreshAtMs: nowMs + answer.lifetimeMs - marginMs };
    return { kind: 'token', accessToken: answer.accessToken };
  };

  return {
    get() {
      if (cached !== undefined && deps.clock.now() < cached.refreshAtMs)
        return Promise.resolve({ kind: 'token', accessToken: cached.accessToken });
      inFlight ??= fetchToken().finally(() => (inFlight = undefined));
      return inFlight;
    },
    invalidate(accessToken) {
      if (cached?.accessToken === accessToken) cached = undefined;
    },
  };
}

/**
 * The token endpoint's answer: `{access_token, expires_in, token_type}`, or an OAuth error
 * `{error, error_description}`. A refused grant (bad key, unknown account) will not heal by itself;
 * an overloaded or unreachable endpoint will.
 */
function readTokenAnswer(
  result: HttpResult,
  nowMs: number,
): { kind: 'token'; accessToken: string; lifetimeMs: number } | { kind: 'failed'; outcome: PushOutcome } {
  if (result.kind === 'failed') return { kind: 'failed', outcome: { kind: 'retry', reason: `oauth: ${result.reason}` } };
  const answer = parseJson(result.text) as Record<string, unknown> | undefined;
  const accessToken = answer?.['access_token'];
  const expiresInS = answer?.['expires_in'];
  if (result.status === 200 && typeof accessToken === 'string' && typeof expiresInS === 'number') {
    return { kind: 'token', accessToken, lifetimeMs: expiresInS * 1000 };
  }
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  const reason = `oauth ${result.status}: ${text(answer?.['error']) || 'unexpected answer'} ${text(answer?.['error_description'])}`.trim();
  const isTransient = result.status === 429 || result.status >= 500;
  if (!isTransient) return { kind: 'failed', outcome: { kind: 'rejected', reason } };
  const retryAfterMs = parseRetryAfterMs(result.headers.get('retry-after') ?? undefined, nowMs);
  return { kind: 'failed', outcome: retryAfterMs === undefined ? { kind: 'retry', reason } : { kind: 'retry', reason, retryAfterMs } };
}
