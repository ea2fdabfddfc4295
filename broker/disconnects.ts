/**
 * Connections the broker closes on its own, and why: each is counted in
 * `chat_mqtt_disconnects_total{reason}` and logged at info, so an operator can tell a slow
 * consumer from a flood of oversized packets or a wave of dead radios.
 */
import type { Logger } from '../lib/log.js';
import type { Metrics } from '../lib/metrics.js';

export type DisconnectReason =
  /** More than MAX_OUTGOING_BYTES waiting to be written: the client is not reading (a slow consumer). */
  | 'outgoing_bytes'
  /** More than MAX_UNACKED_DELIVERIES room messages without PUBACK. */
  | 'unacked_deliveries'
  /** A packet announced more than MAX_PAYLOAD_BYTES plus headers. */
  | 'packet_too_large'
  /** A packet's fixed header cannot be MQTT (more than four length bytes). */
  | 'packet_malformed'
  /** No CONNECT (or, on the WebSocket port, no upgrade) within CONNECT_TIMEOUT_MS. */
  | 'connect_timeout'
  /** Nothing received for 1.5 times the client's keepalive [MQTT-3.1.2-24]. */
  | 'keepalive_timeout'
  /** The device's token expired (MQTT 3.1.1 cannot re-authenticate a live connection). */
  | 'token_expired'
  /** An older connection of the same client id finished its CONNECT after a newer one registered: the newer one stays. */
  | 'superseded'
  /** A newer connection of the same client id took the session over [MQTT-3.1.4-2]: the device reconnected before its old connection died. */
  | 'taken_over'
  /** The device's token was revoked (the admin revoked the device, or deleted its user). */
  | 'token_revoked';

export type ReportDisconnect = (reason: DisconnectReason, details: Readonly<Record<string, unknown>>) => void;

export function createDisconnectReporter(deps: { log: Logger; metrics: Metrics }): ReportDisconnect {
  return (reason, details) => {
    deps.metrics.mqttDisconnects.inc({ reason });
    deps.log.info({ reason, ...details }, 'connection closed by the broker');
  };
}
