/**
 * The event streams open on this node, one per device (`{userId}:{deviceId}`), so the calls that
 * act through a device's stream (subscriptions, typing, receipts) find it, and shutdown closes
 * them all. A device's newer stream replaces its older one here, as its link replaces the older
 * link at the broker (MQTT takeover).
 */
import type { EventStream } from './event-stream.js';

export interface StreamRegistry {
  get(clientId: string): EventStream | undefined;
  add(clientId: string, stream: EventStream): void;
  /** Removes `stream` if it is still the device's current one. */
  remove(clientId: string, stream: EventStream): void;
  size(): number;
  closeAll(): void;
}

export function createStreamRegistry(): StreamRegistry {
  const streams = new Map<string, EventStream>();
  return {
    get: (clientId) => streams.get(clientId),
    add: (clientId, stream) => void streams.set(clientId, stream),
    remove(clientId, stream) {
      if (streams.get(clientId) === stream) streams.delete(clientId);
    },
    size: () => streams.size,
    closeAll() {
      for (const stream of [...streams.values()]) stream.close('shutting_down', 'the server is shutting down');
    },
  };
}
