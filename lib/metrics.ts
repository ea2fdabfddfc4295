/**
 * The platform's Prometheus metrics, one registry per process, served by the API at /metrics.
 * Names follow Prometheus conventions: base units (seconds, bytes), `_total` for counters.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  mqttConnections: Gauge;
  mqttConnectsRefused: Counter<'reason'>;
  mqttDisconnects: Counter<'reason'>;
  sends: Counter<'outcome'>;
  sendBatchSize: Histogram;
  sendCommitSeconds: Histogram;
  malformedPayloads: Counter<'topic_kind'>;
  signalsDropped: Counter<'kind' | 'reason'>;
  subscriptionsRefused: Counter<'reason'>;
  retainStripped: Counter<'topic_kind'>;
  pushes: Counter<'platform' | 'kind' | 'status'>;
  pushDelaySeconds: Histogram;
  eventStreams: Gauge;
  eventStreamsClosed: Counter<'reason'>;
  dependencyUp: Gauge<'dependency'>;
  redisForwardsDropped: Counter;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics === true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    mqttConnections: new Gauge({ name: 'chat_mqtt_connections', help: 'Open, authenticated MQTT connections on this node', registers }),
    mqttConnectsRefused: new Counter({
      name: 'chat_mqtt_connects_refused_total',
      help: 'Connections refused before their session began, by reason: the CONNACK return code, or pending_handshakes (closed on arrival)',
      labelNames: ['reason'],
      registers,
    }),
    mqttDisconnects: new Counter({
      name: 'chat_mqtt_disconnects_total',
      help: 'Connections the broker closed on its own, by reason (outgoing_bytes, unacked_deliveries, packet_too_large, packet_malformed, connect_timeout, keepalive_timeout, token_expired, token_revoked)',
      labelNames: ['reason'],
      registers,
    }),
    sends: new Counter({
      name: 'chat_sends_total',
      help: 'Sends handled by the bridge, by outcome (stored, duplicate, or a Nack reason)',
      labelNames: ['outcome'],
      registers,
    }),
    sendBatchSize: new Histogram({
      name: 'chat_send_batch_size',
      help: 'Sends sequenced per database transaction',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
      registers,
    }),
    sendCommitSeconds: new Histogram({
      name: 'chat_send_commit_seconds',
      help: 'Time to sequence and commit one batch of sends',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    }),
    malformedPayloads: new Counter({
      name: 'chat_malformed_payloads_total',
      help: 'Payloads that failed to decode, by topic kind',
      labelNames: ['topic_kind'],
      registers,
    }),
    signalsDropped: new Counter({
      name: 'chat_signals_dropped_total',
      help: 'Device publishes the broker dropped instead of relaying, by kind (typing, receipt, device_presence, will) and reason (malformed, rate_limited, beyond_last_seq, not_presence)',
      labelNames: ['kind', 'reason'],
      registers,
    }),
    subscriptionsRefused: new Counter({
      name: 'chat_subscriptions_refused_total',
      help: 'Topic filters refused with SUBACK 0x80, by reason (denied, rate_limited)',
      labelNames: ['reason'],
      registers,
    }),
    retainStripped: new Counter({
      name: 'chat_retain_stripped_total',
      help: 'Device publishes whose retain flag the broker ignored (only presence is retained), by topic kind',
      labelNames: ['topic_kind'],
      registers,
    }),
    pushes: new Counter({
      name: 'chat_pushes_total',
      help: 'Push deliveries settled, by platform, kind (message, retract) and status (sent, pending = retry, skipped, dead, rejected, failed)',
      labelNames: ['platform', 'kind', 'status'],
      registers,
    }),
    pushDelaySeconds: new Histogram({
      name: 'chat_push_delay_seconds',
      help: 'From commit of a message to a provider accepting its push',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 300],
      registers,
    }),
    eventStreams: new Gauge({
      name: 'chat_event_streams',
      help: 'Open event streams (GET /v1/events, the SSE fallback) on this node',
      registers,
    }),
    eventStreamsClosed: new Counter({
      name: 'chat_event_streams_closed_total',
      help: 'Event streams closed, by reason (client_gone, link_closed, token_expired, slow_consumer, shutting_down)',
      labelNames: ['reason'],
      registers,
    }),
    dependencyUp: new Gauge({
      name: 'chat_dependency_up',
      help: 'Whether a dependency answered its health check (1) or not (0): database, broker, redis; updated at every /healthz and /metrics',
      labelNames: ['dependency'],
      registers,
    }),
    redisForwardsDropped: new Counter({
      name: 'chat_redis_forwards_dropped_total',
      help: 'Publishes not forwarded to the other broker nodes because Redis was unreachable (their devices fill the gap by seq)',
      registers,
    }),
  };
}
