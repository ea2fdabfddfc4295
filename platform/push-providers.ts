/**
 * The push providers of a platform process (docs/push.md#local-provider-stubs): the APNs and FCM
 * clients configured by APNS_* and FCM_*, pointed at Apple and Google (or any server speaking their
 * API) by configuration only. With none of those variables (the embedded default), both talk to
 * local stubs that speak the same wire APIs, with credentials generated at start-up, so `npm start`
 * exercises the whole push path without any account at Apple or Google.
 */
import { readFile } from 'node:fs/promises';
import type { Config } from '../lib/config.js';
import { AppError } from '../lib/errors.js';
import type { Logger } from '../lib/log.js';
import { systemClock } from '../lib/clock.js';
import {
  createApnsProvider,
  createFcmProvider,
  type FcmServiceAccount,
  type PushPlatform,
  type PushProvider,
  type PushWorkerOptions,
} from '../push/index.js';
import { createStubCredentials, startApnsStub, startFcmStub, type ApnsStub, type FcmStub } from '../push-stubs/index.js';

const APPLE_URL = 'https://api.push.apple.com';
const GOOGLE_URL = 'https://fcm.googleapis.com';

/** The push worker's options from the configuration (the all-in-one platform and `npm run bridge`). */
export const pushWorkerOptions = (config: Config): PushWorkerOptions => ({
  ackTimeoutMs: config.PUSH_ACK_TIMEOUT_MS,
  pollMs: config.PUSH_POLL_MS,
  concurrency: config.PUSH_CONCURRENCY,
  requestTimeoutMs: config.PUSH_REQUEST_TIMEOUT_MS,
  maxAttempts: config.PUSH_MAX_ATTEMPTS,
});

export interface PushProviders {
  providers: ReadonlyMap<PushPlatform, PushProvider>;
  /** One line per provider: where its pushes go. */
  describe(): string[];
  close(): Promise<void>;
}

export async function startPushProviders(config: Config, deps: { log: Logger }): Promise<PushProviders> {
  const isConfigured = config.APNS_KEY_FILE !== undefined || config.FCM_CREDENTIALS_FILE !== undefined;
  if (isConfigured) return configuredProviders(config, deps);
  const local = await startLocalPushStubs({ requestTimeoutMs: config.PUSH_REQUEST_TIMEOUT_MS, log: deps.log });
  deps.log.info({ apns: local.apnsStub.url, fcm: local.fcmStub.url }, 'no APNS_*/FCM_* configured: pushes go to local provider stubs');
  return local;
}

async function configuredProviders(config: Config, deps: { log: Logger }): Promise<PushProviders> {
  const providers = new Map<PushPlatform, PushProvider>();
  const lines: string[] = [];
  const clientDeps = { clock: systemClock, log: deps.log };
  if (config.APNS_KEY_FILE !== undefined) {
    const url = config.APNS_URL ?? APPLE_URL;
    providers.set(
      'apns',
      createApnsProvider(clientDeps, {
        url,
        topic: config.APNS_TOPIC!,
        keyId: config.APNS_KEY_ID!,
        teamId: config.APNS_TEAM_ID!,
        privateKeyPem: await readConfigFile('APNS_KEY_FILE', config.APNS_KEY_FILE),
        requestTimeoutMs: config.PUSH_REQUEST_TIMEOUT_MS,
      }),
    );
    lines.push(`APNs ${url} (topic ${config.APNS_TOPIC!})`);
  }
  if (config.FCM_CREDENTIALS_FILE !== undefined) {
    const credentials = parseServiceAccount(await readConfigFile('FCM_CREDENTIALS_FILE', config.FCM_CREDENTIALS_FILE));
    const url = config.FCM_URL ?? GOOGLE_URL;
    const projectId = config.FCM_PROJECT_ID ?? credentials.project_id;
    if (projectId === undefined)
      throw configError('FCM_PROJECT_ID', 'FCM_PROJECT_ID is required: the credentials file names no project_id');
    providers.set('fcm', createFcmProvider(clientDeps, { url, projectId, credentials, requestTimeoutMs: config.PUSH_REQUEST_TIMEOUT_MS }));
    lines.push(`FCM ${url} (project ${projectId})`);
  }
  return {
    providers,
    describe: () => lines,
    close: async () => void (await Promise.all([...providers.values()].map((p) => p.close()))),
  };
}

/** Both stubs with fresh credentials, and the real clients pointed at them (the embedded default, and bench:push). */
export async function startLocalPushStubs(options: {
  requestTimeoutMs: number;
  log?: Logger;
  maxDeliveries?: number;
}): Promise<PushProviders & { apnsStub: ApnsStub; fcmStub: FcmStub }> {
  const credentials = createStubCredentials();
  const { apns, fcm } = credentials;
  const kept = options.maxDeliveries === undefined ? {} : { maxDeliveries: options.maxDeliveries };
  const apnsStub = await startApnsStub({ keys: [apns], topics: [apns.topic], host: '127.0.0.1', ...kept });
  const fcmStub = await startFcmStub({
    projectId: fcm.projectId,
    accounts: [{ clientEmail: fcm.serviceAccount.client_email, publicKeyPem: fcm.publicKeyPem }],
    host: '127.0.0.1',
    ...kept,
  }).catch(async (error: unknown) => {
    await apnsStub.close();
    throw error;
  });
  const clientDeps = { clock: systemClock, ...(options.log === undefined ? {} : { log: options.log }) };
  const providers = new Map<PushPlatform, PushProvider>([
    [
      'apns',
      createApnsProvider(clientDeps, {
        url: apnsStub.url,
        topic: apns.topic,
        keyId: apns.keyId,
        teamId: apns.teamId,
        privateKeyPem: apns.privateKeyPem,
        requestTimeoutMs: options.requestTimeoutMs,
      }),
    ],
    [
      'fcm',
      createFcmProvider(clientDeps, {
        url: fcmStub.url,
        projectId: fcm.projectId,
        credentials: { ...fcm.serviceAccount, token_uri: fcmStub.tokenUri },
        requestTimeoutMs: options.requestTimeoutMs,
      }),
    ],
  ]);
  return {
    apnsStub,
    fcmStub,
    providers,
    describe: () => [
      `APNs stub ${apnsStub.url} (local, generated key; set APNS_* for Apple)`,
      `FCM stub  ${fcmStub.url} (local, generated service account; set FCM_* for Google)`,
    ],
    async close() {
      await Promise.all([...providers.values()].map((p) => p.close()));
      await Promise.all([apnsStub.close(), fcmStub.close()]);
    },
  };
}

async function readConfigFile(variable: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw configError(variable, `${variable} = ${JSON.stringify(path)}: ${(cause as Error).message}`, cause);
  }
}

function parseServiceAccount(text: string): FcmServiceAccount & { project_id?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw configError('FCM_CREDENTIALS_FILE', 'FCM_CREDENTIALS_FILE is not JSON: expected a service-account key file', cause);
  }
  const account = parsed as Partial<Record<string, unknown>>;
  const missing = ['client_email', 'private_key', 'token_uri'].find((field) => typeof account[field] !== 'string');
  if (missing !== undefined)
    throw configError('FCM_CREDENTIALS_FILE', `FCM_CREDENTIALS_FILE has no ${missing}: expected a service-account key file`);
  return parsed as FcmServiceAccount & { project_id?: string };
}

const configError = (variable: string, message: string, cause?: unknown) =>
  new AppError('ERR_CONFIG_INVALID', `invalid configuration: ${message}`, {
    details: { variable },
    ...(cause === undefined ? {} : { cause }),
  });
