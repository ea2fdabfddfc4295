/**
 * The local APNs and FCM stubs with fresh credentials, and the real provider clients pointed at
 * them: what a push test gives the platform, in-process (`providers`) or in a child process
 * (`env()`: APNS_* and FCM_* with key files written to a temporary folder).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../lib/clock.js';
import { createApnsProvider, createFcmProvider, type PushPlatform, type PushProvider } from '../../push/index.js';
import {
  createStubCredentials,
  startApnsStub,
  startFcmStub,
  type ApnsDelivery,
  type ApnsStub,
  type FcmDelivery,
  type FcmStub,
} from '../../push-stubs/index.js';

export interface PushStubs {
  apns: ApnsStub;
  fcm: FcmStub;
  providers: ReadonlyMap<PushPlatform, PushProvider>;
  /** Configuration of a platform process that sends to these stubs (files under a temporary folder). */
  env(): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export async function startPushStubs(options: { requestTimeoutMs?: number } = {}): Promise<PushStubs> {
  const requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
  const { apns, fcm } = createStubCredentials();
  const apnsStub = await startApnsStub({ keys: [apns], topics: [apns.topic], host: '127.0.0.1' });
  const fcmStub = await startFcmStub({
    projectId: fcm.projectId,
    accounts: [{ clientEmail: fcm.serviceAccount.client_email, publicKeyPem: fcm.publicKeyPem }],
    host: '127.0.0.1',
  });
  const serviceAccount = { ...fcm.serviceAccount, token_uri: fcmStub.tokenUri };
  const providers = new Map<PushPlatform, PushProvider>([
    [
      'apns',
      createApnsProvider(
        { clock: systemClock },
        {
          url: apnsStub.url,
          topic: apns.topic,
          keyId: apns.keyId,
          teamId: apns.teamId,
          privateKeyPem: apns.privateKeyPem,
          requestTimeoutMs,
        },
      ),
    ],
    [
      'fcm',
      createFcmProvider(
        { clock: systemClock },
        { url: fcmStub.url, projectId: fcm.projectId, credentials: serviceAccount, requestTimeoutMs },
      ),
    ],
  ]);
  const folders: string[] = [];
  return {
    apns: apnsStub,
    fcm: fcmStub,
    providers,
    async env() {
      const dir = await mkdtemp(join(tmpdir(), 'push-credentials-'));
      folders.push(dir);
      await writeFile(join(dir, 'apns.p8'), apns.privateKeyPem);
      await writeFile(join(dir, 'fcm.json'), JSON.stringify(serviceAccount));
      return {
        APNS_URL: apnsStub.url,
        APNS_TOPIC: apns.topic,
        APNS_KEY_ID: apns.keyId,
        APNS_TEAM_ID: apns.teamId,
        APNS_KEY_FILE: join(dir, 'apns.p8'),
        FCM_URL: fcmStub.url,
        FCM_CREDENTIALS_FILE: join(dir, 'fcm.json'),
      };
    },
    async close() {
      await Promise.all([...providers.values()].map((p) => p.close()));
      await Promise.all([apnsStub.close(), fcmStub.close()]);
      await Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}

/** The app-level data of a push as either stub received it: APNs custom keys, FCM `data`. */
export function pushData(delivery: ApnsDelivery | FcmDelivery): Record<string, unknown> {
  return 'payload' in delivery ? delivery.payload : (delivery.message.data ?? {});
}
