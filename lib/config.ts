/**
 * Configuration: one schema with defaults and units, read from the environment once at
 * start-up, validated, frozen and passed down. A bad value is an error naming the variable.
 * The public names are DESIGN §11; the rest are extensions documented in the README.
 */
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { AppError } from './errors.js';

const Port = (defaultPort: number, description: string) => Type.Integer({ minimum: 0, maximum: 65535, default: defaultPort, description });

export const ConfigSchema = Type.Object({
  MQTT_PORT: Port(1883, 'MQTT over TCP; 0 picks a free port'),
  WS_PORT: Port(8083, 'MQTT over WebSocket at path /mqtt; 0 picks a free port'),
  API_PORT: Port(3000, 'REST control plane; 0 picks a free port'),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1', description: 'address every listener binds to' }),
  DATA_DIR: Type.String({ minLength: 1, default: './data', description: 'embedded PGlite files and generated secrets' }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://', description: 'PostgreSQL instead of embedded PGlite' })),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://', description: 'Redis for broker persistence and cross-node pub/sub' })),
  BROKER_URL: Type.Optional(
    Type.String({ pattern: '^(mqtts?|wss?|tcp)://', description: 'external broker for a standalone bridge or api' }),
  ),
  JWT_SECRET: Type.Optional(Type.String({ minLength: 32, description: 'HS256 key for device tokens (embedded: generated into DATA_DIR)' })),
  ADMIN_TOKEN: Type.Optional(Type.String({ minLength: 16, description: 'admin bearer credential (embedded: generated into DATA_DIR)' })),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
  TOKEN_TTL_SECONDS: Type.Integer({ minimum: 60, default: 86_400, description: 'lifetime of device tokens' }),
  MAX_PAYLOAD_BYTES: Type.Integer({
    minimum: 1024,
    maximum: 16_777_216,
    default: 65_536,
    description: 'largest MQTT packet and REST body accepted',
  }),
  KEEPALIVE_LIMIT_SECONDS: Type.Integer({
    minimum: 0,
    maximum: 65_535,
    default: 1_800,
    description: 'longest MQTT keepalive a client may ask for (0: any)',
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
} as const;

export type Config = Readonly<Static<typeof ConfigSchema>>;
export type ConfigKey = keyof Config;

const isIntegerVariable = (key: string): boolean =>
  (ConfigSchema.properties as Record<string, { type?: unknown }>)[key]?.type === 'integer';

/** Reads the schema's variables from `env`; unknown variables are ignored. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const notAnInteger = Object.keys(raw).find((key) => isIntegerVariable(key) && !/^\d+$/.test(String(raw[key])));
  if (notAnInteger !== undefined) {
    // Value.Convert would truncate "1.5" to 1 and read "0x10" as 16: refuse instead.
    throw new AppError(
      'ERR_CONFIG_INVALID',
      `invalid configuration: ${notAnInteger} = ${JSON.stringify(raw[notAnInteger])}: must be a whole number`,
      {
        details: { variable: notAnInteger },
      },
    );
  }
  const converted = Value.Convert(ConfigSchema, Value.Default(ConfigSchema, raw));
  const errors = [...Value.Errors(ConfigSchema, converted)];
  const first = errors[0];
  if (first !== undefined) {
    const variable = first.instancePath.replace(/^\//, '') || Object.keys(first.params ?? {}).join(',');
    const shown = variable in raw ? ` = ${JSON.stringify(raw[variable])}` : '';
    throw new AppError('ERR_CONFIG_INVALID', `invalid configuration: ${variable}${shown}: ${first.message}`, { details: { variable } });
  }
  const config = converted as Config;
  checkProviderGroups(config);
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
