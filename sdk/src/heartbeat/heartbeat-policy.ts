/**
 * How often the SDK sends its own PINGREQ (docs/mobile-realities.md#the-adaptive-heartbeat). MQTT
 * keepalive is fixed at CONNECT, so the client connects with a long keepalive and a policy decides
 * the real interval. A policy is pure: no timers, no sockets; the client's ping driver asks it for
 * the next interval and reports what happened to each ping.
 */
export interface HeartbeatPolicy {
  /** Milliseconds of idleness after which the next PINGREQ goes out. */
  intervalMs(): number;
  /** The PINGRESP arrived in time: the mapping survived `intervalMs()` of idleness. */
  pingSucceeded(): void;
  /** No PINGRESP in time: the mapping is gone (the client reconnects). */
  pingFailed(): void;
  /** The phone moved to another network (Wi-Fi ↔ cellular): what was learnt may no longer hold. */
  networkChanged(): void;
}

/** A constant interval: the baseline the adaptive policy is compared against. */
export function createFixedHeartbeat(intervalMs: number): HeartbeatPolicy {
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new RangeError(`intervalMs must be positive, got ${intervalMs}`);
  return { intervalMs: () => intervalMs, pingSucceeded() {}, pingFailed() {}, networkChanged() {} };
}
