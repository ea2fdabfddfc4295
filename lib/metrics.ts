/**
 * The platform's Prometheus metrics, one registry per process, served at /metrics by the API
 * (all-in-one platform, `npm run api`) or by a small listener of its own (`npm run broker`,
 * `npm run bridge`: lib/metrics-server.ts). Names follow Prometheus conventions: base units
 * (seconds, bytes), `_total` for counters. ops/grafana/dashboard.json is built from them.
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
  pushBacklog: Gauge<'queue'>;
  deliveries: Counter;
  sendToDeliverySeconds: Histogram;
  eventStreams: Gauge;
  eventStreamsClosed: Counter<'reason'>;
  dependencyUp: Gauge<'dependency'>;
  redisForwardsDropped: Counter;
  busReceived: Counter<'topic_kind'>;
}

/** Push work that is due and not yet taken, counted at each scrape by a process that runs a push worker. */
export interface PushBacklog {
  /** Outbox rows (messages) due for the push worker to consider. */
  outbox: number;
  /** Pushes to single devices due to be sent (first attempts and retries). */
  deliveries: number;
}

/** A scrape must not hang on a hung database: a backlog count that takes longer is left out of it. */
const PUSH_BACKLOG_TIMEOUT_MS = 1_000;

/** The value, or undefined when it fails or takes longer than `timeoutMs`. */
async function withinTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
  try {
    return await Promise.race([work.catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}

export interface MetricsOptions {
  /** Process and runtime metrics (CPU, memory, event loop lag, GC, handles): on in every process entry point. */
  defaultMetrics?: boolean;
  /** Read at each scrape for chat_push_backlog; without it the gauge has no series. */
  pushBacklog?: () => Promise<PushBacklog>;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics === true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const { pushBacklog } = options;
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
    pushBacklog: new Gauge({
      name: 'chat_push_backlog',
      help: 'Push work due and not yet taken, by queue: outbox (messages to consider) and deliveries (pushes to devices, retries included); read from the database at each scrape',
      labelNames: ['queue'],
      registers,
      async collect() {
        if (pushBacklog === undefined) return;
        // A failed read leaves no series rather than a stale one (chat_dependency_up says why).
        this.reset();
        const backlog = await withinTimeout(pushBacklog(), PUSH_BACKLOG_TIMEOUT_MS);
        if (backlog === undefined) return;
        this.set({ queue: 'outbox' }, backlog.outbox);
        this.set({ queue: 'deliveries' }, backlog.deliveries);
      },
    }),
    deliveries: new Counter({
      name: 'chat_deliveries_total',
      help: 'Room Messages the broker handed to a subscribed device connection (one per device)',
      registers,
    }),
    sendToDeliverySeconds: new Histogram({
      name: 'chat_send_to_delivery_seconds',
      help: "From a Message's sent_at_ms (stamped by the send pipeline as it sequences the batch, just before the commit) to the broker handing it to a subscribed device; across hosts it includes their clock difference",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
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
    busReceived: new Counter({
      name: 'chat_bus_received_total',
      help: 'Publishes received from other nodes or workers (Redis pub/sub or the in-machine bus), by topic kind; only rooms with subscribers here arrive',
      labelNames: ['topic_kind'],
      registers,
    }),
  };
}
