/**
 * Which transport the next connection attempt uses: MQTT (over WebSocket, or TCP in Node), or
 * the SSE fallback (Server-Sent Events down, HTTP POST up) for networks that block WebSockets
 * (some corporate proxies and captive portals).
 *
 * With `auto`, MQTT is tried first. `fallbackAfterFailures` MQTT attempts in a row that fail
 * before any CONNACK (the connection refused, closed or silent: what a blocking proxy does) make
 * the next attempt SSE. An SSE attempt that fails before its stream is ready means HTTP does not
 * get through either (the device is offline), so MQTT is tried first again. Once SSE works, the
 * client stays on it across losses and probes MQTT from time to time (`connection.ts`): a
 * probe that gets its CONNACK takes over and the client is back on MQTT. A CONNACK that refuses
 * (a bad token, a busy broker) proves the path works, so it never counts toward the fallback.
 */
import type { SessionEnd } from './reconnect-policy.js';

export type Transport = 'mqtt' | 'sse';
/** `auto`: MQTT, falling back to SSE; `mqtt` or `sse`: that transport only. */
export type TransportMode = 'auto' | Transport;

export const DEFAULT_SSE_FALLBACK_AFTER_FAILURES = 2;

export interface TransportPolicy {
  next(): Transport;
  /** An attempt or session on `transport` ended; `wasConnected`: it had been accepted (CONNACK, or the stream's `ready`). */
  ended(transport: Transport, wasConnected: boolean, end: SessionEnd): void;
  connected(transport: Transport): void;
  /** True while the client is on the SSE fallback and should try MQTT again now and then. */
  shouldProbe(): boolean;
  /** Start over with MQTT (the app called connect(), or the device changed networks). */
  reset(): void;
}

const looksBlocked = (end: SessionEnd): boolean => end.kind === 'network' || end.kind === 'connectTimeout';

export function createTransportPolicy(options: { mode: TransportMode; fallbackAfterFailures: number }): TransportPolicy {
  if (!(Number.isSafeInteger(options.fallbackAfterFailures) && options.fallbackAfterFailures >= 1)) {
    throw new RangeError(`sseFallbackAfterFailures must be a positive integer, got ${options.fallbackAfterFailures}`);
  }
  let current: Transport = options.mode === 'sse' ? 'sse' : 'mqtt';
  let mqttFailures = 0;
  const isAuto = options.mode === 'auto';

  return {
    next: () => current,
    ended(transport, wasConnected, end) {
      if (!isAuto) return;
      if (transport === 'sse') {
        if (!wasConnected) {
          current = 'mqtt';
          mqttFailures = 0;
        }
        return;
      }
      if (wasConnected || !looksBlocked(end)) {
        mqttFailures = 0;
        return;
      }
      mqttFailures += 1;
      if (mqttFailures >= options.fallbackAfterFailures) current = 'sse';
    },
    connected(transport) {
      if (!isAuto) return;
      current = transport;
      if (transport === 'mqtt') mqttFailures = 0;
    },
    shouldProbe: () => isAuto && current === 'sse',
    reset() {
      if (!isAuto) return;
      current = 'mqtt';
      mqttFailures = 0;
    },
  };
}
