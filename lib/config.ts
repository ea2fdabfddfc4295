/**
 * Configuration: one schema with defaults and units, read from the environment once at
 * start-up, validated, frozen and passed down. A bad value is an error naming the variable.
 * The public names are part of docs/contract.md#configuration; the rest are extensions documented
 * in the README.
 */
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { redactUrl } from './dependency-url.js';
import { AppError } from './errors.js';

const Port = (defaultPort: number, description: string) => Type.Integer({ minimum: 0, maximum: 65535, default: defaultPort, description });

/** A listener that can be turned off: `off`, or a port (0 picks a free one). */
export const LISTENER_OFF = 'off';
const ListenerPort = (defaultPort: number, description: string) =>
  Type.Union([Type.Integer({ minimum: 0, maximum: 65535 }), Type.Literal(LISTENER_OFF)], { default: defaultPort, description });
/** `WORKERS=auto`: one worker per core the process may use. */
export const WORKERS_AUTO = 'auto';
const TLS_PORTS = ['MQTTS_PORT', 'WSS_PORT'] as const;
const LISTENER_PORTS = ['MQTT_PORT', 'WS_PORT', ...TLS_PORTS] as const;
/** Ports that take `off` too, read like the listener ports but not among the MQTT listeners one of which must be on. */
const OPTIONAL_PORTS = [...LISTENER_PORTS, 'BROKER_METRICS_PORT', 'BRIDGE_METRICS_PORT'] as const;

export const ConfigSchema = Type.Object({
  MQTT_PORT: ListenerPort(1883, 'MQTT over TCP; 0 picks a free port, off turns it off'),
  WS_PORT: ListenerPort(8083, 'MQTT over WebSocket at path /mqtt; 0 picks a free port, off turns it off'),
  MQTTS_PORT: ListenerPort(8883, 'MQTT over TLS, with TLS_CERT_FILE and TLS_KEY_FILE; 0 picks a free port, off turns it off'),
  WSS_PORT: ListenerPort(8084, 'MQTT over secure WebSocket at /mqtt, with TLS_CERT_FILE and TLS_KEY_FILE; off turns it off'),
  TLS_CERT_FILE: Type.Optional(
    Type.String({ minLength: 1, description: 'PEM certificate chain of the TLS listeners (reloaded on SIGHUP)' }),
  ),
  TLS_KEY_FILE: Type.Optional(Type.String({ minLength: 1, description: 'PEM private key of TLS_CERT_FILE (reloaded on SIGHUP)' })),
  API_PORT: Port(3000, 'REST control plane; 0 picks a free port'),
  // The split processes without an API of their own serve /metrics on a small listener; the
  // defaults differ so a broker and a bridge on one host do not clash (the API serves it on API_PORT).
  BROKER_METRICS_PORT: ListenerPort(
    9101,
    '/metrics of `npm run broker` (the all-in-one platform and the api serve it on API_PORT); off turns it off',
  ),
  BRIDGE_METRICS_PORT: ListenerPort(9102, '/metrics of `npm run bridge`; off turns it off'),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1', description: 'address every listener binds to' }),
  DATA_DIR: Type.String({ minLength: 1, default: './data', description: 'embedded PGlite files and generated secrets' }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://', description: 'PostgreSQL instead of embedded PGlite' })),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://', description: 'Redis for broker persistence and cross-node pub/sub' })),
  DATABASE_CONNECT_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    maximum: 600_000,
    default: 5_000,
    description: 'how long getting a PostgreSQL connection may take before the call fails as unavailable (and the start-up check)',
  }),
  WORKERS: Type.Union([Type.Integer({ minimum: 1, maximum: 256 }), Type.Literal(WORKERS_AUTO)], {
    default: 1,
    description: 'broker processes of this node behind one set of ports (node:cluster); auto = one per core; above 1 needs DATABASE_URL',
  }),
  REDIS_COMMAND_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    maximum: 600_000,
    default: 2_000,
    description: 'how long connecting to Redis or one Redis command may take before it fails (a hung Redis)',
  }),
  HEALTH_CHECK_TIMEOUT_MS: Type.Integer({
    minimum: 50,
    maximum: 60_000,
    default: 1_000,
    description: 'how long one /healthz check may take before its dependency counts as down',
  }),
  BROKER_URL: Type.Optional(
    Type.String({ pattern: '^(mqtts?|wss?|tcp)://', description: 'external broker for a standalone bridge or api' }),
  ),
  BROKER_USERNAME: Type.Optional(
    Type.String({ minLength: 1, description: 'MQTT username of a standalone bridge or api on BROKER_URL (default: $platform)' }),
  ),
  BROKER_PASSWORD: Type.Optional(
    Type.String({ minLength: 1, description: 'MQTT password of a standalone bridge or api on BROKER_URL (default: ADMIN_TOKEN)' }),
  ),
  BROKER_SHARED_GROUP: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9_-]{1,64}$',
      description: 'the bridge consumes sends through $share/<group>/chat/user/+/send, so several bridges share them',
    }),
  ),
  BROKER_HOOK_TOKEN: Type.Optional(
    Type.String({
      minLength: 16,
      description: 'turns on the HTTP endpoints an external broker calls (/v1/broker/*), which it authenticates as a bearer token',
    }),
  ),
  EMQX_API_URL: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description: "EMQX's management API (http://emqx:18083): removed members are disconnected through it",
    }),
  ),
  EMQX_API_KEY: Type.Optional(Type.String({ minLength: 1, description: 'API key of EMQX_API_URL (HTTP basic user name)' })),
  EMQX_API_SECRET: Type.Optional(Type.String({ minLength: 1, description: 'secret of EMQX_API_KEY (HTTP basic password)' })),
  JWT_SECRET: Type.Optional(Type.String({ minLength: 32, description: 'HS256 key for device tokens (embedded: generated into DATA_DIR)' })),
  ADMIN_TOKEN: Type.Optional(Type.String({ minLength: 16, description: 'admin bearer credential (embedded: generated into DATA_DIR)' })),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
  LOG_FORMAT: Type.Enum(['auto', 'pretty', 'json'], {
    default: 'auto',
    description: 'auto: pretty-printed when stdout is a terminal, one JSON object per line otherwise',
  }),
  TOKEN_TTL_SECONDS: Type.Integer({ minimum: 60, default: 86_400, description: 'lifetime of device tokens' }),
  MAX_PAYLOAD_BYTES: Type.Integer({
    minimum: 1024,
    maximum: 16_777_216,
    default: 65_536,
    description: 'largest MQTT packet and REST body accepted',
  }),
  KEEPALIVE_LIMIT_SECONDS: Type.Integer({
    minimum: 1,
    maximum: 65_535,
    default: 1_800,
    description: 'longest MQTT keepalive a client may ask for; keepalive 0 (never time out) is refused too',
  }),
  CONNECT_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    maximum: 600_000,
    default: 10_000,
    description: 'how long a new connection has to complete its CONNECT (and a WebSocket its HTTP upgrade) before it is closed',
  }),
  MAX_PENDING_CONNECTS: Type.Integer({
    minimum: 1,
    maximum: 1_000_000,
    default: 1_000,
    description: 'connections accepted but not yet authenticated at once, per node; more are closed on arrival',
  }),
  CONNECT_RATE_PER_SECOND: Type.Number({
    exclusiveMinimum: 0,
    maximum: 1_000_000,
    default: 500,
    description: 'CONNECTs a node accepts per second, sustained; beyond that CONNACK 3 (server unavailable)',
  }),
  CONNECT_BURST: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1_000, description: 'CONNECTs a node accepts at once' }),
  MAX_OUTGOING_BYTES: Type.Integer({
    minimum: 1024,
    maximum: 1_073_741_824,
    default: 2_097_152,
    description: 'bytes waiting to be written to one connection (beyond what the kernel holds) before it is disconnected',
  }),
  MAX_UNACKED_DELIVERIES: Type.Integer({
    minimum: 1,
    maximum: 65_535,
    default: 1_024,
    description: 'QoS 1 room messages one connection may leave without PUBACK before it is disconnected',
  }),
  BATCH_MAX_MESSAGES: Type.Integer({ minimum: 1, maximum: 5_000, default: 256, description: 'sends sequenced in one transaction at most' }),
  TYPING_RATE_PER_SECOND: Type.Number({
    exclusiveMinimum: 0,
    maximum: 1000,
    default: 2,
    description: 'typing events a client may publish per second, sustained',
  }),
  TYPING_BURST: Type.Integer({ minimum: 1, maximum: 1000, default: 4, description: 'typing events a client may publish at once' }),
  RECEIPT_RATE_PER_SECOND: Type.Number({
    exclusiveMinimum: 0,
    maximum: 10_000,
    default: 10,
    description: 'read receipts a client may publish per second, sustained (excess is dropped)',
  }),
  RECEIPT_BURST: Type.Integer({
    minimum: 1,
    maximum: 100_000,
    default: 100,
    description: 'read receipts a client may publish at once (a reconnect republishes one per room)',
  }),
  SUBSCRIBE_RATE_PER_SECOND: Type.Number({
    exclusiveMinimum: 0,
    maximum: 10_000,
    default: 20,
    description: 'topic filters a client may subscribe to per second, sustained (excess: SUBACK 0x80)',
  }),
  SUBSCRIBE_BURST: Type.Integer({
    minimum: 1,
    maximum: 100_000,
    default: 1_000,
    description: 'topic filters a client may subscribe to at once (a reconnect subscribes four per room)',
  }),
  SEND_RATE_PER_SECOND: Type.Number({
    exclusiveMinimum: 0,
    maximum: 100_000,
    default: 5,
    description: 'sends one device (MQTT or REST) may make per second, sustained; beyond, Nack RATE_LIMITED',
  }),
  SEND_BURST: Type.Integer({ minimum: 1, maximum: 100_000, default: 20, description: 'sends one device may make at once' }),
  SEND_QUEUE_MAX_MESSAGES: Type.Integer({
    minimum: 1,
    maximum: 1_000_000,
    default: 10_000,
    description: 'sends waiting for a database batch at most; beyond, Nack UNAVAILABLE',
  }),
  DB_PROBE_INTERVAL_MS: Type.Integer({
    minimum: 10,
    maximum: 60_000,
    default: 500,
    description: 'while the database is unreachable, how often a batch of sends probes it (the rest are Nacked UNAVAILABLE)',
  }),
  API_RATE_PER_MINUTE: Type.Integer({
    minimum: 1,
    maximum: 10_000_000,
    default: 1_200,
    description: 'REST requests per minute per user device, or per IP address without a valid credential',
  }),
  API_ADMIN_RATE_PER_MINUTE: Type.Integer({
    minimum: 1,
    maximum: 10_000_000,
    default: 60_000,
    description: 'REST requests per minute with the admin credential',
  }),
  ROOM_CREATE_PER_MINUTE: Type.Integer({
    minimum: 1,
    maximum: 100_000,
    default: 20,
    description: 'rooms one user may create per minute (burst of the same size)',
  }),
  ROOM_CREATE_MAX_MEMBERS: Type.Integer({
    minimum: 2,
    maximum: 100_000,
    default: 1_000,
    description: 'members one POST /v1/rooms may name',
  }),
  PRESENCE_REFRESH_MS: Type.Integer({
    minimum: 10,
    maximum: 600_000,
    default: 10_000,
    description: 'how often a broker node refreshes the presence keys of its devices',
  }),
  PRESENCE_TTL_MS: Type.Integer({
    minimum: 20,
    maximum: 3_600_000,
    default: 15_000,
    description: 'how long a device stays online without a refresh (a crashed node)',
  }),
  REVOCATION_REFRESH_MS: Type.Integer({
    minimum: 100,
    maximum: 3_600_000,
    default: 10_000,
    description: 'how often a broker node re-reads the token deny list, in case a revocation notice did not reach it',
  }),
  RECEIPT_FLUSH_MS: Type.Integer({
    minimum: 1,
    maximum: 60_000,
    default: 250,
    description: 'how long read receipts are coalesced before one write',
  }),
  BATCH_MAX_WAIT_MS: Type.Number({
    minimum: 0,
    maximum: 1_000,
    default: 2,
    description: 'how long a batch waits to fill while another commits',
  }),
  PUSH_ACK_TIMEOUT_MS: Type.Integer({
    minimum: 0,
    maximum: 3_600_000,
    default: 15_000,
    description: 'how long after commit a member who looks online has to acknowledge a message before it is pushed anyway',
  }),
  PUSH_POLL_MS: Type.Integer({
    minimum: 10,
    maximum: 600_000,
    default: 1_000,
    description: 'how often the push worker looks for due work besides being woken by commits',
  }),
  PUSH_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 10_000, default: 32, description: 'pushes in flight per provider' }),
  PUSH_REQUEST_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    maximum: 600_000,
    default: 10_000,
    description: 'how long one provider request may take before it is cut off and retried',
  }),
  PUSH_MAX_ATTEMPTS: Type.Integer({
    minimum: 1,
    maximum: 1_000,
    default: 8,
    description: 'provider attempts per push before it is given up',
  }),
  CORS_ORIGINS: Type.String({
    default: '',
    pattern: '^$|^\\*$|^https?://[^,/\\s]+(,https?://[^,/\\s]+)*$',
    description:
      'origins (comma-separated, e.g. https://chat.example.com) whose pages may call the API from another origin; * for any; empty: same origin only',
  }),
  DEV_SIGNIN: Type.Boolean({
    default: false,
    description:
      'development sign-in: POST /v1/dev/signin makes a user by name and issues a token, with no credential (never in production)',
  }),
  SSE_HEARTBEAT_MS: Type.Integer({
    minimum: 100,
    maximum: 300_000,
    default: 15_000,
    description: 'how often an event stream (GET /v1/events) carries a heartbeat when nothing else was sent',
  }),
  SSE_MAX_STREAMS: Type.Integer({
    minimum: 1,
    maximum: 1_000_000,
    default: 10_000,
    description: 'event streams one API node keeps open at most (further ones: 503)',
  }),
  SSE_MAX_BUFFERED_BYTES: Type.Integer({
    minimum: 65_536,
    maximum: 268_435_456,
    default: 1_048_576,
    description: 'bytes an event stream may have waiting for a slow client before it is closed (the client resumes)',
  }),
  SSE_REPLAY_MAX_MESSAGES: Type.Integer({
    minimum: 1,
    maximum: 10_000,
    default: 500,
    description: 'messages per room an event stream replays from the database when it opens (the client fetches the rest)',
  }),
  PREKEY_LOW_THRESHOLD: Type.Integer({
    minimum: 0,
    maximum: 1_000,
    default: 10,
    description: 'a device is told (inbox KeysLow) when a bundle fetch leaves it fewer one-time prekeys than this (0: never)',
  }),
  PREKEY_FETCH_RATE_PER_SECOND: Type.Number({
    exclusiveMinimum: 0,
    maximum: 10_000,
    default: 1,
    description: 'prekey bundle fetches one user may make per second, sustained (each drains one-time keys of the target)',
  }),
  PREKEY_FETCH_BURST: Type.Integer({
    minimum: 1,
    maximum: 100_000,
    default: 100,
    description: 'prekey bundle fetches one user may make at once (joining a room of that many members)',
  }),
  APNS_URL: Type.Optional(
    Type.String({ pattern: '^https?://', description: 'APNs server (default with APNS_KEY_FILE: https://api.push.apple.com)' }),
  ),
  APNS_TOPIC: Type.Optional(Type.String({ minLength: 1, description: "the app's bundle id (apns-topic)" })),
  APNS_KEY_ID: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9]{10}$', description: 'Key ID of the .p8 signing key' })),
  APNS_TEAM_ID: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9]{10}$', description: 'Apple developer team id' })),
  APNS_KEY_FILE: Type.Optional(Type.String({ minLength: 1, description: 'path of the .p8 signing key (EC P-256, PEM)' })),
  FCM_URL: Type.Optional(
    Type.String({ pattern: '^https?://', description: 'FCM server (default with FCM_CREDENTIALS_FILE: https://fcm.googleapis.com)' }),
  ),
  FCM_PROJECT_ID: Type.Optional(
    Type.String({ minLength: 1, description: 'Firebase project id (default: the project_id of the credentials file)' }),
  ),
  FCM_CREDENTIALS_FILE: Type.Optional(
    Type.String({ minLength: 1, description: 'path of the service-account JSON key file (holds its token_uri)' }),
  ),
});

/** A provider is configured with all of its required variables, or none: half a configuration is a mistake. */
const PROVIDER_GROUPS = {
  APNs: { all: ['APNS_TOPIC', 'APNS_KEY_ID', 'APNS_TEAM_ID', 'APNS_KEY_FILE'], optional: ['APNS_URL'] },
  FCM: { all: ['FCM_CREDENTIALS_FILE'], optional: ['FCM_URL', 'FCM_PROJECT_ID'] },
  "EMQX's management API": { all: ['EMQX_API_URL', 'EMQX_API_KEY', 'EMQX_API_SECRET'], optional: [] },
} as const;

export type Config = Readonly<Static<typeof ConfigSchema>>;
export type ConfigKey = keyof Config;

/** Variables that are secrets: an error names them, never shows their value. */
const SECRET_VARIABLES: ReadonlySet<string> = new Set([
  'JWT_SECRET',
  'ADMIN_TOKEN',
  'BROKER_PASSWORD',
  'BROKER_HOOK_TOKEN',
  'EMQX_API_SECRET',
]);
/** URLs may carry a password in their user info (`postgres://chat:pw@db/chat`) or query (`?password=pw`). */
const URL_VARIABLE = /_URL$/;

/** The value of `variable` as an error may show it: secrets hidden, URL credentials masked. */
export function shownValue(variable: string, value: unknown): string {
  const text = String(value);
  if (SECRET_VARIABLES.has(variable)) return `(${text.length} characters, hidden)`;
  return JSON.stringify(URL_VARIABLE.test(variable) ? redactUrl(text) : text);
}

const isIntegerVariable = (key: string): boolean =>
  (ConfigSchema.properties as Record<string, { type?: unknown }>)[key]?.type === 'integer';

/** Reads the schema's variables from `env`; unknown variables are ignored. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const badPort = OPTIONAL_PORTS.find((key) => key in raw && raw[key] !== LISTENER_OFF && !/^\d+$/.test(String(raw[key])));
  if (badPort !== undefined) {
    throw invalid(badPort, `${badPort} = ${JSON.stringify(raw[badPort])}: must be a port number or ${LISTENER_OFF}`);
  }
  for (const key of OPTIONAL_PORTS) if (key in raw && raw[key] !== LISTENER_OFF) raw[key] = Number(raw[key]);
  if ('WORKERS' in raw && raw['WORKERS'] !== WORKERS_AUTO) {
    if (!/^\d+$/.test(String(raw['WORKERS'])))
      throw invalid('WORKERS', `WORKERS = ${JSON.stringify(raw['WORKERS'])}: must be a whole number or ${WORKERS_AUTO}`);
    raw['WORKERS'] = Number(raw['WORKERS']);
  }
  const notAnInteger = Object.keys(raw).find((key) => isIntegerVariable(key) && !/^\d+$/.test(String(raw[key])));
  if (notAnInteger !== undefined) {
    // Value.Convert would truncate "1.5" to 1 and read "0x10" as 16: refuse instead.
    throw new AppError(
      'ERR_CONFIG_INVALID',
      `invalid configuration: ${notAnInteger} = ${shownValue(notAnInteger, raw[notAnInteger])}: must be a whole number`,
      {
        details: { variable: notAnInteger },
      },
    );
  }
  const given = new Set(Object.keys(raw)); // before Value.Default fills in the rest
  const converted = Value.Convert(ConfigSchema, Value.Default(ConfigSchema, { ...raw }));
  const errors = [...Value.Errors(ConfigSchema, converted)];
  const first = errors[0];
  if (first !== undefined) {
    const variable = first.instancePath.replace(/^\//, '') || Object.keys(first.params ?? {}).join(',');
    const shown = variable in raw ? ` = ${shownValue(variable, raw[variable])}` : '';
    throw new AppError('ERR_CONFIG_INVALID', `invalid configuration: ${variable}${shown}: ${first.message}`, { details: { variable } });
  }
  const config = converted as Config;
  checkProviderGroups(config);
  checkListeners(config, given);
  checkWorkers(config);
  if (config.PRESENCE_TTL_MS <= config.PRESENCE_REFRESH_MS) {
    throw new AppError(
      'ERR_CONFIG_INVALID',
      'invalid configuration: PRESENCE_TTL_MS must be longer than PRESENCE_REFRESH_MS, or devices expire between refreshes',
      {
        details: { variable: 'PRESENCE_TTL_MS' },
      },
    );
  }
  return Object.freeze(config);
}

/**
 * Workers are separate processes, and embedded PGlite is a single-process database: the
 * simpler honest choice is to refuse, rather than funnel every query of every worker through
 * the primary (which would put the database back on one core, the very thing workers avoid).
 */
function checkWorkers(config: Config): void {
  if (config.WORKERS !== 1 && config.DATABASE_URL === undefined) {
    throw invalid(
      'WORKERS',
      `WORKERS=${config.WORKERS} needs DATABASE_URL: embedded PGlite cannot be shared between processes (set DATABASE_URL to a PostgreSQL, or WORKERS=1)`,
    );
  }
}

/** How many broker processes `WORKERS` asks for on a machine with `cores` usable cores. */
export const workerCount = (workers: Config['WORKERS'], cores: number): number => (workers === WORKERS_AUTO ? Math.max(1, cores) : workers);

const invalid = (variable: string, message: string) =>
  new AppError('ERR_CONFIG_INVALID', `invalid configuration: ${message}`, { details: { variable } });

/** TLS is both files or neither; the TLS ports mean nothing without them; some MQTT listener must be on. */
function checkListeners(config: Config, given: ReadonlySet<string>): void {
  const hasCert = config.TLS_CERT_FILE !== undefined;
  const hasKey = config.TLS_KEY_FILE !== undefined;
  if (hasCert !== hasKey) {
    const missing = hasCert ? 'TLS_KEY_FILE' : 'TLS_CERT_FILE';
    throw invalid(missing, `${missing} is required when ${hasCert ? 'TLS_CERT_FILE' : 'TLS_KEY_FILE'} is set (TLS needs both)`);
  }
  const tlsPortWithoutTls = TLS_PORTS.find((key) => given.has(key));
  if (!hasCert && tlsPortWithoutTls !== undefined) {
    throw invalid('TLS_CERT_FILE', `TLS_CERT_FILE and TLS_KEY_FILE are required when ${tlsPortWithoutTls} is set`);
  }
  const listening = (hasCert ? LISTENER_PORTS : (['MQTT_PORT', 'WS_PORT'] as const)).filter((key) => config[key] !== LISTENER_OFF);
  if (listening.length === 0) {
    throw invalid(
      'MQTT_PORT',
      'every MQTT listener is off: set MQTT_PORT or WS_PORT to a port, or configure TLS_CERT_FILE and TLS_KEY_FILE',
    );
  }
  if (config.MAX_OUTGOING_BYTES < config.MAX_PAYLOAD_BYTES) {
    throw invalid(
      'MAX_OUTGOING_BYTES',
      'MAX_OUTGOING_BYTES must be at least MAX_PAYLOAD_BYTES, or one large message would disconnect its receiver',
    );
  }
}

function checkProviderGroups(config: Config): void {
  for (const [provider, group] of Object.entries(PROVIDER_GROUPS)) {
    const given = [...group.all, ...group.optional].filter((key) => config[key] !== undefined);
    const missing = group.all.find((key) => config[key] === undefined);
    if (given.length > 0 && missing !== undefined) {
      throw new AppError(
        'ERR_CONFIG_INVALID',
        `invalid configuration: ${missing} is required when ${given.join(', ')} ${given.length === 1 ? 'is' : 'are'} set (${provider} needs ${group.all.join(', ')})`,
        { details: { variable: missing } },
      );
    }
  }
}
