/**
 * An SDK client for integration tests, with what it delivered recorded and `until()` to await a
 * condition on it: re-checked on every event the client emits, never by polling or sleeping.
 */
import {
  type ChatClient,
  type ChatClientDeps,
  type ChatClientEvents,
  type ChatClientOptions,
  type ClientStatus,
  createChatClient,
} from '@mqtt-chat/sdk';
import type { Message } from '@mqtt-chat/sdk';

export const WAIT_LIMIT_MS = 15_000;

/** Small timings, so a test's retries and reconnects take milliseconds. */
export const FAST: Partial<ChatClientOptions> = {
  backoff: { baseMs: 50, capMs: 400 },
  ackTimeoutMs: 1000,
  sendRetryBackoff: { baseMs: 50, capMs: 400 },
  fetchRetryBackoff: { baseMs: 50, capMs: 400 },
  gapWaitMs: 200,
  connectTimeoutMs: 3000,
};

export interface TestClient {
  readonly client: ChatClient;
  readonly statuses: ClientStatus[];
  readonly delivered: Message[];
  readonly events: { [K in keyof ChatClientEvents]?: ChatClientEvents[K][] };
  seqs(roomId: string): number[];
  texts(roomId: string): string[];
  /** Resolves once `test()` holds (checked now and after every client event). */
  until(test: () => boolean, what: string): Promise<void>;
  untilStatus(test: (status: ClientStatus) => boolean, what: string): Promise<ClientStatus>;
  untilSubscribed(roomId: string): Promise<void>;
}

/** Every event of the client, recorded (a new event type fails to compile here until it is added). */
const EVENTS = Object.keys({
  status: true,
  message: true,
  typing: true,
  receipt: true,
  roomEvent: true,
  roomSubscribed: true,
  historyTruncated: true,
  epochChanged: true,
  roomUpdated: true,
  roomRemoved: true,
  send: true,
  presence: true,
} satisfies Record<keyof ChatClientEvents, true>) as (keyof ChatClientEvents)[];

export function createTestClient(options: ChatClientOptions, deps?: Partial<ChatClientDeps>): TestClient {
  // No deps unless a test needs one (a log to read): the defaults an app gets (real clock, Math.random, Web Crypto ids).
  const client = deps === undefined ? createChatClient(options) : createChatClient(deps, options);
  const events: TestClient['events'] = {};
  let waiters: (() => void)[] = [];
  for (const event of EVENTS) {
    client.on(event, (payload) => {
      ((events[event] ??= []) as unknown[]).push(payload);
      for (const check of waiters) check();
    });
  }
  const delivered = (): Message[] => events.message ?? [];

  const until = (test: () => boolean, what: string): Promise<void> =>
    new Promise((resolve, reject) => {
      if (test()) return resolve();
      const timer = setTimeout(() => {
        waiters = waiters.filter((w) => w !== check);
        reject(new Error(`${options.userId}/${options.deviceId}: no ${what} within ${WAIT_LIMIT_MS} ms`));
      }, WAIT_LIMIT_MS);
      const check = () => {
        if (!test()) return;
        clearTimeout(timer);
        waiters = waiters.filter((w) => w !== check);
        resolve();
      };
      waiters.push(check);
    });

  return {
    client,
    get statuses() {
      return events.status ?? [];
    },
    get delivered() {
      return delivered();
    },
    events,
    seqs: (roomId) => delivered().flatMap((m) => (m.roomId === roomId ? [m.seq] : [])),
    texts: (roomId) => delivered().flatMap((m) => (m.roomId === roomId ? [new TextDecoder().decode(m.body)] : [])),
    until,
    untilSubscribed: (roomId) => until(() => (events.roomSubscribed ?? []).some((e) => e.roomId === roomId), `a subscription to ${roomId}`),
    async untilStatus(test, what) {
      await until(() => test(client.status()), what);
      return client.status();
    },
  };
}

export const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
