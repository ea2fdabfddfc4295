/**
 * A push provider for tests that stands in for APNs or FCM (not a mock of a database or a
 * broker): it records every push and answers with whatever outcome the test scripts, by
 * default 'delivered'. An answer may be a promise the test holds, to keep a push in flight.
 */
import type { PushMessage, PushOutcome, PushPlatform, PushProvider } from '../../push/index.js';

export interface RecordingProvider extends PushProvider {
  readonly sent: PushMessage[];
  /** How to answer the next pushes, in order; afterwards each is delivered. */
  answer(...outcomes: (PushOutcome | Promise<PushOutcome>)[]): void;
  /** Resolves once `count` pushes were sent (already, or later). */
  waitForSent(count: number): Promise<PushMessage[]>;
  inFlight(): number;
  maxInFlight(): number;
}

export function createRecordingProvider(platform: PushPlatform): RecordingProvider {
  const sent: PushMessage[] = [];
  const scripted: (PushOutcome | Promise<PushOutcome>)[] = [];
  let waiters: { count: number; resolve(sent: PushMessage[]): void }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  return {
    platform,
    sent,
    answer: (...outcomes) => void scripted.push(...outcomes),
    waitForSent(count) {
      if (sent.length >= count) return Promise.resolve([...sent]);
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    inFlight: () => inFlight,
    maxInFlight: () => maxInFlight,
    async send(message) {
      sent.push(message);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      waiters = waiters.filter((w) => (sent.length >= w.count ? (w.resolve([...sent]), false) : true));
      try {
        return await (scripted.shift() ?? { kind: 'delivered', providerId: `id-${sent.length}` });
      } finally {
        inFlight -= 1;
      }
    },
    async close() {},
  };
}
