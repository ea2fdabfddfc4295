/**
 * The FCM HTTP v1 provider client: `POST {url}/v1/projects/{projectId}/messages:send` with an
 * OAuth2 access token from the service account. A 401 means the token went stale early (revoked,
 * clock skew): refresh it once and resend.
 */
import { createPrivateKey } from 'node:crypto';
import { AppError } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';
import type { PushMessage, PushOutcome, PushProvider } from '../provider.js';
import type { WallClock } from '../../lib/clock.js';
import { createAccessTokenSource, type FcmServiceAccount } from './fcm-oauth.js';
import { fcmOutcome } from './fcm-outcome.js';
import { buildFcmSendBody } from './fcm-request.js';
import { httpPost, parseJson, type HttpResult } from './http-post.js';

export interface FcmProviderOptions {
  /** `https://fcm.googleapis.com`, or `http://127.0.0.1:port` for the stub. */
  url: string;
  projectId: string;
  /** The parsed service-account JSON key file. */
  credentials: FcmServiceAccount;
  requestTimeoutMs: number;
}

export interface FcmProviderDeps {
  clock: WallClock;
  log?: Logger;
}

export function createFcmProvider(deps: FcmProviderDeps, options: FcmProviderOptions): PushProvider {
  checkOptions(options);
  const log = deps.log?.child({ module: 'fcm' });
  const closing = new AbortController();
  const accessTokens = createAccessTokenSource({ clock: deps.clock, signal: closing.signal }, options);
  const sendUrl = `${options.url.replace(/\/+$/, '')}/v1/projects/${encodeURIComponent(options.projectId)}/messages:send`;

  const post = (message: PushMessage, accessToken: string): Promise<HttpResult> =>
    httpPost(sendUrl, {
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(buildFcmSendBody(message, deps.clock.now())),
      timeoutMs: options.requestTimeoutMs,
      signal: closing.signal,
    });

  const sendOnce = async (message: PushMessage, isRefreshed: boolean): Promise<PushOutcome> => {
    const token = await accessTokens.get();
    if (token.kind === 'failed') return token.outcome;
    const result = await post(message, token.accessToken);
    if (result.kind === 'failed') return { kind: 'retry', reason: result.reason };
    if (result.status === 401 && !isRefreshed) {
      accessTokens.invalidate(token.accessToken);
      return sendOnce(message, true);
    }
    return fcmOutcome(result.status, parseJson(result.text), result.headers.get('retry-after') ?? undefined, deps.clock.now());
  };

  return {
    platform: 'fcm',
    async send(message) {
      const outcome = await sendOnce(message, false);
      log?.debug({ token: message.token, outcome }, 'fcm push sent');
      return outcome;
    },
    async close() {
      closing.abort();
    },
  };
}

/** A bad URL or key is a configuration mistake: fail at start-up, not on the first push. */
function checkOptions(options: FcmProviderOptions): void {
  for (const [name, url] of [
    ['url', options.url],
    ['credentials.token_uri', options.credentials.token_uri],
  ] as const) {
    const protocol = URL.canParse(url) ? new URL(url).protocol : undefined;
    if (protocol !== 'http:' && protocol !== 'https:')
      throw new AppError('ERR_PUSH_CONFIG_INVALID', `FCM ${name} must be an http(s) URL: ${url}`);
  }
  let key;
  try {
    key = createPrivateKey(options.credentials.private_key);
  } catch (cause) {
    throw new AppError('ERR_PUSH_CONFIG_INVALID', 'FCM credentials.private_key is not a PEM key', { cause });
  }
  if (key.asymmetricKeyType !== 'rsa') throw new AppError('ERR_PUSH_CONFIG_INVALID', 'FCM credentials.private_key must be an RSA key');
}
