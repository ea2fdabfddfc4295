/**
 * A client process of bench:connections: opens `CONN_COUNT` idle MQTT connections (MQTT.js,
 * keepalive 300 s) to `CONN_URL`, a batch at a time, and holds them until SIGTERM. One process
 * holds a few thousand: the machine allows 20k descriptors per process, and the connect work is
 * spread over cores. With `CONN_JWT_SECRET` (the platform) every connection is a device of its
 * own user with a token signed here; otherwise client ids are made-up ids of the same length.
 * Prints `connected N` as it goes and `ready N` once all are open; exits 1 on the first failure.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { deviceClientId } from '../schema/index.js';
import { newId } from '../lib/ids.js';
import { createTokenService } from '../lib/tokens.js';

const BATCH = 100;
const KEEPALIVE_SECONDS = 300;
const TOKEN_TTL_SECONDS = 86_400;
const CONNECT_TIMEOUT_MS = 30_000;

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set (started by bench/connections.ts)`);
  return value;
};
const url = env('CONN_URL');
const count = Number(env('CONN_COUNT'));
const secret = process.env['CONN_JWT_SECRET'];
const tokens = secret === undefined ? undefined : createTokenService({ secret, ttlSeconds: TOKEN_TTL_SECONDS });

const clients: MqttClient[] = [];

function connectOne(): Promise<MqttClient> {
  const userId = newId();
  const deviceId = 'idle';
  const credentials = tokens === undefined ? {} : { username: userId, password: tokens.issue(userId, deviceId).token };
  return mqtt.connectAsync(url, {
    clientId: deviceClientId(userId, deviceId),
    ...credentials,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
    keepalive: KEEPALIVE_SECONDS,
    connectTimeout: CONNECT_TIMEOUT_MS,
  });
}

process.once('SIGTERM', () => {
  for (const client of clients) client.end(true);
  process.exit(0);
});

try {
  for (let opened = 0; opened < count; opened += BATCH) {
    clients.push(...(await Promise.all(Array.from({ length: Math.min(BATCH, count - opened) }, connectOne))));
    process.stdout.write(`connected ${clients.length}\n`);
  }
  process.stdout.write(`ready ${clients.length}\n`);
} catch (error) {
  process.stderr.write(`connections-client: ${(error as Error).message}\n`);
  process.exit(1);
}
