/**
 * The APNs provider client (token-based auth over HTTP/2): `POST /3/device/{token}` on one
 * long-lived session, with a cached ES256 provider token. Every answer becomes a PushOutcome.
 */
import { createPrivateKey, randomUUID } from 'node:crypto';
import { AppError } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';
import type { PushMessage, PushOutcome, PushProvider } from '../provider.js';
import type { WallClock } from '../../lib/clock.js';
import { createApnsJwtSource } from './apns-jwt.js';
import { apnsOutcome, apnsReason } from './apns-outcome.js';
import { apnsIdFor, buildApnsRequest } from './apns-request.js';
import { createHttp2Connection, type Http2Result } from './http2-connection.js';

export interface ApnsProviderOptions {
  /** `https://api.push.apple.com` (or the sandbox), or `http://127.0.0.1:port` for an h2c stub. */
  url: string;
  /** The app's bundle id (`apns-topic`). */
  topic: string;
  keyId: string;
  teamId: string;
  /** Contents of the .p8 key: EC P-256, PKCS#8 PEM. */
  privateKeyPem: string;
  requestTimeoutMs: number;
  /** Extra CA (PEM) to trust, for a stub with a self-signed certificate. */
  ca?: string;
}

export interface ApnsProviderDeps {
  clock: WallClock;
  log?: Logger;
  /** The apns-id of a push without a dedup key. */
  randomUuid?: () => string;
}

export function createApnsProvider(deps: ApnsProviderDeps, options: ApnsProviderOptions): PushProvider {
  checkOptions(options);
  const log = deps.log?.child({ module: 'apns' });
  const randomUuid = deps.randomUuid ?? randomUUID;
  const jwt = createApnsJwtSource(deps, options);
  const connection = createHttp2Connection({
    url: options.url,
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    ...(log === undefined ? {} : { log }),
  });

  const attempt = (message: PushMessage, apnsId: string): Promise<Http2Result> => {
    const request = buildApnsRequest(message, { topic: options.topic, apnsId });
    const headers = { ':method': 'POST', ':path': request.path, authorization: `bearer ${jwt.current()}`, ...request.headers };
    return connection.request(headers, request.body, options.requestTimeoutMs);
  };

  return {
    platform: 'apns',
    async send(message) {
      const apnsId = apnsIdFor(message, randomUuid);
      let result = await attempt(message, apnsId);
      if (isExpiredProviderToken(result)) {
        // Our token aged out by APNs' clock: resend once with a fresh one if APNs allows a new token yet.
        const waitMs = jwt.invalidate();
        if (waitMs > 0) return { kind: 'retry', reason: 'ExpiredProviderToken', retryAfterMs: waitMs };
        result = await attempt(message, apnsId);
      }
      const outcome = toOutcome(result, apnsId, deps.clock.now());
      log?.debug({ token: message.token, apnsId, outcome }, 'apns push sent');
      return outcome;
    },
    close: () => connection.close(),
  };
}

function toOutcome(result: Http2Result, apnsId: string, nowMs: number): PushOutcome {
  if (result.kind === 'failed') return { kind: 'retry', reason: result.reason };
  return apnsOutcome(
    {
      status: result.status,
      reason: apnsReason(result.body),
      apnsId: headerValue(result.headers['apns-id']),
      retryAfter: headerValue(result.headers['retry-after']),
    },
    apnsId,
    nowMs,
  );
}

const isExpiredProviderToken = (result: Http2Result) =>
  result.kind === 'response' && result.status === 403 && apnsReason(result.body) === 'ExpiredProviderToken';

const headerValue = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/** A bad URL or key is a configuration mistake: fail at start-up, not on the first push. */
function checkOptions(options: ApnsProviderOptions): void {
  const protocol = URL.canParse(options.url) ? new URL(options.url).protocol : undefined;
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new AppError('ERR_PUSH_CONFIG_INVALID', `APNs url must be http:// (h2c) or https://: ${options.url}`);
  }
  let key;
  try {
    key = createPrivateKey(options.privateKeyPem);
  } catch (cause) {
    throw new AppError('ERR_PUSH_CONFIG_INVALID', 'APNs private key is not a PEM key', { cause });
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new AppError('ERR_PUSH_CONFIG_INVALID', 'APNs private key must be an EC P-256 key (.p8)');
  }
}
