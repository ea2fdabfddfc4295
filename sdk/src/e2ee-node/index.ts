/**
 * @mqtt-chat/sdk/e2ee-node: end-to-end encryption for Node apps. libsignal as the SDK's crypto
 * (a native module, which is why this entry point is separate: a browser bundle of
 * `@mqtt-chat/sdk` never reaches it) and a file-backed key store.
 *
 *   import { createChatClient } from '@mqtt-chat/sdk';
 *   import { createFileKeyValueStore, createLibsignalCrypto } from '@mqtt-chat/sdk/e2ee-node';
 *   const client = createChatClient({ ...options, e2ee: { crypto: createLibsignalCrypto(), store: await createFileKeyValueStore(dir) } });
 */
export { createLibsignalCrypto } from './libsignal-crypto.js';
export { createFileKeyValueStore } from './file-key-value-store.js';
