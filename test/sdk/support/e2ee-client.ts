/**
 * SDK clients with end-to-end encryption for integration tests: libsignal and an in-memory store
 * (unless the test passes its own), the client's e2ee events recorded, and what each delivered
 * message became (decrypted text, or the state it was left in).
 */
import {
  createMemoryKeyValueStore,
  type ChatClientDeps,
  type ChatClientOptions,
  type ChatMessage,
  type E2ee,
  type E2eeEvents,
  type E2eeOptions,
} from '@mqtt-chat/sdk';
import { createLibsignalCrypto } from '@mqtt-chat/sdk/e2ee-node';
import { createTestClient, WAIT_LIMIT_MS, type TestClient } from './sdk-client.js';

export interface E2eeTestClient extends TestClient {
  readonly userId: string;
  readonly deviceId: string;
  readonly e2ee: E2ee;
  readonly e2eeEvents: { [K in keyof E2eeEvents]: E2eeEvents[K][] };
  /** Per delivered message of the room, in delivery order: its text once decrypted, else `<state>`. */
  seen(roomId: string): string[];
  /** Resolves with the first e2ee event of this kind (recorded already, or to come) that `test` accepts. */
  untilE2ee<K extends keyof E2eeEvents>(event: K, test: (payload: E2eeEvents[K]) => boolean, what: string): Promise<E2eeEvents[K]>;
}

/** One libsignal instance for every test client: it holds no state of its own (the stores do). */
const crypto = createLibsignalCrypto();

export function createE2eeTestClient(
  options: ChatClientOptions,
  e2ee: Partial<E2eeOptions> = {},
  deps?: Partial<ChatClientDeps>,
): E2eeTestClient {
  const client = createTestClient({ ...options, e2ee: { crypto, store: createMemoryKeyValueStore(), oneTimePreKeys: 10, ...e2ee } }, deps);
  const api = client.client.e2ee;
  if (api === undefined) throw new Error('the client was created without e2ee');
  const e2eeEvents: E2eeTestClient['e2eeEvents'] = { identityChanged: [], keysUploaded: [], keyDigestMismatch: [] };
  for (const event of Object.keys(e2eeEvents) as (keyof E2eeEvents)[]) {
    api.on(event, (payload) => (e2eeEvents[event] as unknown[]).push(payload));
  }
  function untilE2ee<K extends keyof E2eeEvents>(event: K, test: (payload: E2eeEvents[K]) => boolean, what: string) {
    const seenAlready = (e2eeEvents[event] as E2eeEvents[K][]).find(test);
    if (seenAlready !== undefined) return Promise.resolve(seenAlready);
    return new Promise<E2eeEvents[K]>((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`${options.userId}/${options.deviceId}: no ${what} within ${WAIT_LIMIT_MS} ms`));
      }, WAIT_LIMIT_MS);
      const off = api!.on(event, (payload) => {
        if (!test(payload)) return;
        clearTimeout(timer);
        off();
        resolve(payload);
      });
    });
  }
  return Object.assign(client, {
    untilE2ee,
    userId: options.userId,
    deviceId: options.deviceId,
    e2ee: api,
    e2eeEvents,
    seen: (roomId: string) =>
      (client.delivered as ChatMessage[])
        .filter((m) => m.roomId === roomId)
        .map((m) => (m.e2ee === undefined || m.e2ee.state === 'decrypted' ? new TextDecoder().decode(m.body) : `<${m.e2ee.state}>`)),
  });
}
