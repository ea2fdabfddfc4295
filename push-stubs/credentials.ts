/**
 * Fresh provider credentials for the stubs and the clients that talk to them, so the embedded
 * default and the tests configure both sides without any file from Apple or Google.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { FcmServiceAccount } from '../push/index.js';

export interface StubCredentials {
  apns: {
    /** 10 characters, like the Key ID Apple shows next to a .p8 key. */
    keyId: string;
    teamId: string;
    topic: string;
    /** EC P-256, PKCS#8 PEM: the contents of a .p8 file. */
    privateKeyPem: string;
    publicKeyPem: string;
  };
  fcm: {
    projectId: string;
    /**
     * A service-account key file as Google issues it. Its `token_uri` is Google's: point it at the
     * FCM stub's `tokenUri` (`{...serviceAccount, token_uri: stub.tokenUri}`).
     */
    serviceAccount: FcmServiceAccount & { type: 'service_account'; project_id: string; private_key_id: string };
    publicKeyPem: string;
  };
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const appleId = () => [...randomBytes(10)].map((byte) => ALPHANUMERIC[byte % ALPHANUMERIC.length]).join('');

export function createStubCredentials(): StubCredentials {
  const apnsKey = generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const fcmKey = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const projectId = `stub-project-${randomBytes(3).toString('hex')}`;
  return {
    apns: {
      keyId: appleId(),
      teamId: appleId(),
      topic: 'com.example.chat',
      privateKeyPem: apnsKey.privateKey,
      publicKeyPem: apnsKey.publicKey,
    },
    fcm: {
      projectId,
      serviceAccount: {
        type: 'service_account',
        project_id: projectId,
        private_key_id: randomBytes(20).toString('hex'),
        private_key: fcmKey.privateKey,
        client_email: `push-sender@${projectId}.iam.gserviceaccount.com`,
        token_uri: 'https://oauth2.googleapis.com/token',
      },
      publicKeyPem: fcmKey.publicKey,
    },
  };
}
