import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig, workerCount } from '../../lib/config.js';
import { AppError } from '../../lib/errors.js';

/** The AppError loadConfig throws for `env`, or a failed expectation when it does not throw one. */
function configError(env: Record<string, string>): AppError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    expect(loadConfig({})).toEqual({
      MQTT_PORT: 1883,
      WS_PORT: 8083,
      MQTTS_PORT: 8883,
      WSS_PORT: 8084,
      API_PORT: 3000,
      BROKER_METRICS_PORT: 9101,
      BRIDGE_METRICS_PORT: 9102,
      HOST: '127.0.0.1',
      DATA_DIR: './data',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'auto',
      WORKERS: 1,
      TOKEN_TTL_SECONDS: 86_400,
      MAX_PAYLOAD_BYTES: 65_536,
      KEEPALIVE_LIMIT_SECONDS: 1_800,
      CONNECT_TIMEOUT_MS: 10_000,
      MAX_PENDING_CONNECTS: 1_000,
      CONNECT_RATE_PER_SECOND: 500,
      CONNECT_BURST: 1_000,
      MAX_OUTGOING_BYTES: 2_097_152,
      MAX_UNACKED_DELIVERIES: 1_024,
      BATCH_MAX_MESSAGES: 256,
      BATCH_MAX_WAIT_MS: 2,
      TYPING_RATE_PER_SECOND: 2,
      TYPING_BURST: 4,
      RECEIPT_RATE_PER_SECOND: 10,
      RECEIPT_BURST: 100,
      SUBSCRIBE_RATE_PER_SECOND: 20,
      SUBSCRIBE_BURST: 1_000,
      SEND_RATE_PER_SECOND: 5,
      SEND_BURST: 20,
      SEND_QUEUE_MAX_MESSAGES: 10_000,
      DB_PROBE_INTERVAL_MS: 500,
      API_RATE_PER_MINUTE: 1_200,
      API_ADMIN_RATE_PER_MINUTE: 60_000,
      ROOM_CREATE_PER_MINUTE: 20,
      ROOM_CREATE_MAX_MEMBERS: 1_000,
      RECEIPT_FLUSH_MS: 250,
      PRESENCE_REFRESH_MS: 10_000,
      PRESENCE_TTL_MS: 15_000,
      REVOCATION_REFRESH_MS: 10_000,
      PUSH_ACK_TIMEOUT_MS: 15_000,
      PUSH_POLL_MS: 1_000,
      PUSH_CONCURRENCY: 32,
      PUSH_REQUEST_TIMEOUT_MS: 10_000,
      PUSH_MAX_ATTEMPTS: 8,
      DATABASE_CONNECT_TIMEOUT_MS: 5_000,
      REDIS_COMMAND_TIMEOUT_MS: 2_000,
      HEALTH_CHECK_TIMEOUT_MS: 1_000,
      PREKEY_LOW_THRESHOLD: 10,
      PREKEY_FETCH_RATE_PER_SECOND: 1,
      PREKEY_FETCH_BURST: 100,
      CORS_ORIGINS: '',
      DEV_SIGNIN: false,
      SSE_HEARTBEAT_MS: 15_000,
      SSE_MAX_STREAMS: 10_000,
      SSE_MAX_BUFFERED_BYTES: 1_048_576,
      SSE_REPLAY_MAX_MESSAGES: 500,
    });
  });

  it('leaves optional variables absent when they are not set', () => {
    const config = loadConfig({});
    for (const key of ['DATABASE_URL', 'REDIS_URL', 'BROKER_URL', 'JWT_SECRET', 'ADMIN_TOKEN'] as const) {
      expect(config).not.toHaveProperty(key);
    }
  });

  it('takes CORS_ORIGINS as *, or a comma-separated list of origins, and nothing else', () => {
    expect(loadConfig({ CORS_ORIGINS: '*' }).CORS_ORIGINS).toBe('*');
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example,http://localhost:5173' }).CORS_ORIGINS).toBe(
      'https://a.example,http://localhost:5173',
    );
    for (const bad of ['*,https://a.example', 'a.example', 'https://a.example/path', 'https://a.example, https://b.example']) {
      expect(configError({ CORS_ORIGINS: bad }).details).toEqual({ variable: 'CORS_ORIGINS' });
    }
  });

  it('takes DEV_SIGNIN as true or false only', () => {
    expect(loadConfig({ DEV_SIGNIN: 'true' }).DEV_SIGNIN).toBe(true);
    expect(loadConfig({ DEV_SIGNIN: 'false' }).DEV_SIGNIN).toBe(false);
    expect(configError({ DEV_SIGNIN: 'yes' }).details).toEqual({ variable: 'DEV_SIGNIN' });
  });

  it('refuses a presence TTL that is not longer than its refresh interval', () => {
    expect(() => loadConfig({ PRESENCE_REFRESH_MS: '1000', PRESENCE_TTL_MS: '1000' })).toThrow(/PRESENCE_TTL_MS/);
  });

  it('treats an empty string as unset', () => {
    expect(loadConfig({ API_PORT: '', HOST: '', DATABASE_URL: '' })).toEqual(loadConfig({}));
  });

  it('ignores variables outside the schema', () => {
    expect(loadConfig({ PATH: '/usr/bin', HOME: '/root' })).toEqual(loadConfig({}));
  });

  it('converts numeric strings to numbers', () => {
    const config = loadConfig({
      MQTT_PORT: '0',
      API_PORT: '8080',
      TOKEN_TTL_SECONDS: '60',
      MAX_PAYLOAD_BYTES: '1024',
      BATCH_MAX_WAIT_MS: '2.5',
    });
    expect(config.MQTT_PORT).toBe(0);
    expect(config.API_PORT).toBe(8080);
    expect(config.TOKEN_TTL_SECONDS).toBe(60);
    expect(config.MAX_PAYLOAD_BYTES).toBe(1024);
    expect(config.BATCH_MAX_WAIT_MS).toBe(2.5);
  });

  it('converts every integer port string to that port (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 65_535 }), (port) => {
        expect(loadConfig({ API_PORT: String(port) }).API_PORT).toBe(port);
      }),
    );
  });

  it('keeps string values and accepts valid optional URLs', () => {
    const config = loadConfig({
      HOST: '0.0.0.0',
      DATA_DIR: '/var/lib/chat',
      LOG_LEVEL: 'debug',
      DATABASE_URL: 'postgresql://chat@db/chat',
      REDIS_URL: 'rediss://cache:6380',
      BROKER_URL: 'wss://broker/mqtt',
      JWT_SECRET: 's'.repeat(32),
      ADMIN_TOKEN: 'a'.repeat(16),
    });
    expect(config).toMatchObject({
      HOST: '0.0.0.0',
      DATA_DIR: '/var/lib/chat',
      LOG_LEVEL: 'debug',
      DATABASE_URL: 'postgresql://chat@db/chat',
      REDIS_URL: 'rediss://cache:6380',
      BROKER_URL: 'wss://broker/mqtt',
      JWT_SECRET: 's'.repeat(32),
      ADMIN_TOKEN: 'a'.repeat(16),
    });
  });

  it('returns a frozen object', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { API_PORT: number }).API_PORT = 1;
    }).toThrow(TypeError);
  });

  it.each([
    ['API_PORT', 'abc'],
    ['LOG_LEVEL', 'loud'],
    ['DATABASE_URL', 'mysql://x'],
    ['MQTT_PORT', '70000'],
    ['WS_PORT', '-1'],
    ['REDIS_URL', 'http://cache'],
    ['BROKER_URL', 'ftp://broker'],
    ['JWT_SECRET', 'too-short'],
    ['ADMIN_TOKEN', 'short'],
    ['TOKEN_TTL_SECONDS', '59'],
    ['MAX_PAYLOAD_BYTES', '1023'],
    ['BATCH_MAX_MESSAGES', '0'],
    ['BATCH_MAX_WAIT_MS', '1001'],
    ['PUSH_CONCURRENCY', '0'],
    ['PUSH_POLL_MS', '5'],
    ['PUSH_REQUEST_TIMEOUT_MS', '99'],
    ['PUSH_MAX_ATTEMPTS', '0'],
    ['PUSH_ACK_TIMEOUT_MS', '-1'],
    ['MQTT_PORT', 'of'],
    ['WSS_PORT', '1.5'],
    ['KEEPALIVE_LIMIT_SECONDS', '0'],
    ['CONNECT_TIMEOUT_MS', '99'],
    ['MAX_PENDING_CONNECTS', '0'],
    ['CONNECT_RATE_PER_SECOND', '0'],
    ['CONNECT_BURST', '0'],
    ['MAX_UNACKED_DELIVERIES', '0'],
    ['APNS_URL', 'ftp://apple'],
    ['FCM_URL', 'fcm.googleapis.com'],
    ['SEND_RATE_PER_SECOND', '0'],
    ['SEND_BURST', '0'],
    ['SEND_QUEUE_MAX_MESSAGES', '0'],
    ['DB_PROBE_INTERVAL_MS', '5'],
    ['API_RATE_PER_MINUTE', '0'],
    ['API_ADMIN_RATE_PER_MINUTE', '-5'],
    ['ROOM_CREATE_PER_MINUTE', '0'],
    ['ROOM_CREATE_MAX_MEMBERS', '1'],
    ['WORKERS', '0'],
    ['WORKERS', 'many'],
    ['WORKERS', '1.5'],
  ])('rejects %s=%s with ERR_CONFIG_INVALID naming the variable', (variable, value) => {
    const error = configError({ [variable]: value });
    expect(error.code).toBe('ERR_CONFIG_INVALID');
    expect(error.message).toContain(variable);
    expect(error.details).toEqual({ variable });
  });

  it('takes WORKERS as a number or auto, and refuses more than one without DATABASE_URL in one line naming both', () => {
    const postgres = { DATABASE_URL: 'postgres://db/chat' };
    expect(loadConfig({ ...postgres, WORKERS: '4' }).WORKERS).toBe(4);
    expect(loadConfig({ ...postgres, WORKERS: 'auto' }).WORKERS).toBe('auto');
    expect(loadConfig({ WORKERS: '1' }).WORKERS).toBe(1);
    for (const workers of ['2', 'auto']) {
      const error = configError({ WORKERS: workers });
      expect(error.details).toEqual({ variable: 'WORKERS' });
      expect(error.message).toMatch(/WORKERS=\w+ needs DATABASE_URL: embedded PGlite cannot be shared between processes/);
      expect(error.message).not.toContain('\n');
    }
    expect(workerCount('auto', 8)).toBe(8);
    expect(workerCount(3, 8)).toBe(3);
  });

  it('names the bad variable when valid ones are set too', () => {
    const error = configError({ API_PORT: '8080', HOST: 'localhost', LOG_LEVEL: 'loud' });
    expect(error.message).toContain('LOG_LEVEL');
    expect(error.message).not.toContain('API_PORT');
  });

  // A port of 1.5 is a typo, not port 1: conversion must not silently change the value.
  it('rejects a non-integer port rather than truncating it (API_PORT=1.5)', () => {
    const error = configError({ API_PORT: '1.5' });
    expect(error.code).toBe('ERR_CONFIG_INVALID');
    expect(error.message).toContain('API_PORT');
  });

  it('turns a listener off with "off", keeping the others on their ports', () => {
    expect(loadConfig({ MQTT_PORT: 'off', WS_PORT: '0' })).toMatchObject({ MQTT_PORT: 'off', WS_PORT: 0 });
  });

  it('takes the metrics ports of the broker and bridge processes as a port or "off", and LOG_FORMAT as auto, pretty or json', () => {
    expect(loadConfig({ BROKER_METRICS_PORT: 'off', BRIDGE_METRICS_PORT: '0', LOG_FORMAT: 'json' })).toMatchObject({
      BROKER_METRICS_PORT: 'off',
      BRIDGE_METRICS_PORT: 0,
      LOG_FORMAT: 'json',
    });
    expect(configError({ BRIDGE_METRICS_PORT: 'on' }).details).toEqual({ variable: 'BRIDGE_METRICS_PORT' });
    expect(configError({ LOG_FORMAT: 'xml' }).details).toEqual({ variable: 'LOG_FORMAT' });
  });

  it('refuses a configuration with every MQTT listener off', () => {
    const error = configError({ MQTT_PORT: 'off', WS_PORT: 'off' });
    expect(error.details).toEqual({ variable: 'MQTT_PORT' });
    // With TLS configured, the TLS listeners are enough.
    expect(loadConfig({ MQTT_PORT: 'off', WS_PORT: 'off', TLS_CERT_FILE: '/tls/cert.pem', TLS_KEY_FILE: '/tls/key.pem' })).toMatchObject({
      MQTTS_PORT: 8883,
      WSS_PORT: 8084,
    });
  });

  it.each([
    [{ TLS_CERT_FILE: '/tls/cert.pem' }, 'TLS_KEY_FILE'],
    [{ TLS_KEY_FILE: '/tls/key.pem' }, 'TLS_CERT_FILE'],
    [{ MQTTS_PORT: '8883' }, 'TLS_CERT_FILE'],
    [{ WSS_PORT: 'off' }, 'TLS_CERT_FILE'],
  ])('refuses half a TLS configuration (%o), naming %s', (env, variable) => {
    expect(configError(env).details).toEqual({ variable });
  });

  it('refuses an outgoing cap below the largest message', () => {
    const error = configError({ MAX_PAYLOAD_BYTES: '65536', MAX_OUTGOING_BYTES: '65535' });
    expect(error.details).toEqual({ variable: 'MAX_OUTGOING_BYTES' });
  });

  it('accepts a complete provider configuration and leaves the stubs to the embedded default when none is given', () => {
    const apns = { APNS_TOPIC: 'com.example.chat', APNS_KEY_ID: 'ABC123DEFG', APNS_TEAM_ID: 'TEAM123456', APNS_KEY_FILE: '/keys/apns.p8' };
    expect(loadConfig({ ...apns, FCM_CREDENTIALS_FILE: '/keys/fcm.json' })).toMatchObject({
      ...apns,
      FCM_CREDENTIALS_FILE: '/keys/fcm.json',
    });
    const none = loadConfig({});
    for (const key of [
      'APNS_URL',
      'APNS_TOPIC',
      'APNS_KEY_ID',
      'APNS_TEAM_ID',
      'APNS_KEY_FILE',
      'FCM_URL',
      'FCM_PROJECT_ID',
      'FCM_CREDENTIALS_FILE',
    ] as const) {
      expect(none).not.toHaveProperty(key);
    }
  });

  it.each([
    [{ APNS_URL: 'https://api.sandbox.push.apple.com' }, 'APNS_TOPIC'],
    [{ APNS_TOPIC: 'com.example.chat', APNS_KEY_ID: 'ABC123DEFG', APNS_TEAM_ID: 'TEAM123456' }, 'APNS_KEY_FILE'],
    [{ FCM_PROJECT_ID: 'my-project' }, 'FCM_CREDENTIALS_FILE'],
  ])('refuses half a provider configuration (%o), naming the missing %s', (env, missing) => {
    const error = configError(env);
    expect(error.code).toBe('ERR_CONFIG_INVALID');
    expect(error.details).toEqual({ variable: missing });
  });

  describe('never shows a secret in its error', () => {
    const secret = 'hunter2-super-secret-value';

    it.each([
      ['JWT_SECRET', 'short-secret'],
      ['ADMIN_TOKEN', 'shorty'],
    ])('names %s and its length, never its value', (variable, value) => {
      const error = configError({ [variable]: value });
      expect(error.message).toContain(variable);
      expect(error.message).toContain(`${value.length} characters`);
      expect(error.message).not.toContain(value);
      expect(JSON.stringify(error.details)).not.toContain(value);
    });

    it.each([
      ['DATABASE_URL', `mysql://chat:${secret}@db/chat`],
      ['DATABASE_URL', `mysql://db/chat?user=chat&password=${secret}`],
      ['DATABASE_URL', `chat:${secret}@db/chat`],
      ['DATABASE_URL', `mysql://chat:${secret}/with/slashes@db/chat`],
      ['REDIS_URL', `http://:${secret}@cache:6379`],
      ['BROKER_URL', `ftp://bridge:${secret}@broker`],
      ['APNS_URL', `ftp://u:${secret}@apple`],
    ])('masks the password in a bad %s (%s)', (variable, value) => {
      const error = configError({ [variable]: value });
      expect(error.message).toContain(variable);
      expect(error.message).not.toContain(secret);
      expect(error.message).toContain('***');
    });

    it('still shows the rest of a bad URL, so the mistake can be found', () => {
      expect(configError({ DATABASE_URL: `mysql://chat:${secret}@db/chat` }).message).toContain('"mysql://***@db/chat"');
    });
  });
});
