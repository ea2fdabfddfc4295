/**
 * What `connect()` returns: a promise that resolves once the client is connected (CONNACK
 * accepted, inbox and rooms subscribed) and rejects with a typed SdkError when the connection
 * stops for good (a refused token, a refusal a retry cannot change, close()). Network failures
 * are not failures here: the connection keeps retrying with backoff, and the promise waits; the
 * 'status' events tell the app about every attempt meanwhile.
 *
 * The promise is marked handled: an app that only listens to 'status' may ignore it without an
 * unhandled rejection; one that awaits it still gets the rejection.
 */
import { SdkError, type SdkErrorCode } from './errors.js';
import type { ClientStatus, DisconnectCode } from './status.js';

export interface ConnectWaiter {
  /** A promise for the next `connected` (resolved at once when `current` is connected). */
  wait(current: ClientStatus): Promise<void>;
  statusChanged(status: ClientStatus): void;
}

const FAILURES: Record<Exclude<DisconnectCode, 'idle'>, SdkErrorCode> = {
  unauthorized: 'ERR_SDK_UNAUTHORIZED',
  refused: 'ERR_SDK_CONNECTION_REFUSED',
  closed: 'ERR_SDK_CLOSED',
};

export function createConnectWaiter(): ConnectWaiter {
  let waiting: { resolve(): void; reject(error: SdkError): void }[] = [];

  function settle(outcome: (waiter: (typeof waiting)[number]) => void): void {
    const settled = waiting;
    waiting = [];
    for (const waiter of settled) outcome(waiter);
  }

  return {
    wait(current) {
      if (current.state === 'connected') return Promise.resolve();
      const promise = new Promise<void>((resolve, reject) => waiting.push({ resolve, reject }));
      promise.catch(() => undefined);
      return promise;
    },
    statusChanged(status) {
      if (status.state === 'connected') return settle((waiter) => waiter.resolve());
      if (status.state !== 'disconnected' || status.code === 'idle') return;
      const error = new SdkError(FAILURES[status.code], `connect failed: ${status.reason}`);
      settle((waiter) => waiter.reject(error));
    },
  };
}
