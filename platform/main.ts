/** `npm start`: broker + bridge + api + push worker in one process (the embedded default, docs/architecture.md#embedded-default). */
import { bootstrap, exitWith, onShutdownSignal } from './bootstrap.js';
import { startPlatform } from './platform.js';
import { reloadTls } from './start-broker.js';
import { startPushProviders } from './push-providers.js';

const { config, log, secrets, db } = await bootstrap('platform');
const push = await startPushProviders(config, { log }).catch(async (error: unknown) => {
  await db.close();
  return exitWith(error);
});
const platform = await startPlatform(config, { db, secrets, log, pushProviders: push.providers }).catch(async (error: unknown) => {
  await push.close();
  await db.close();
  return exitWith(error);
});

const { mqtt, ws, mqtts, wss, api } = platform.endpoints;
const [firstProvider = 'none', ...otherProviders] = push.describe();
const hasTls = config.TLS_CERT_FILE !== undefined;
const banner = [
  '',
  '  MQTT chat platform is running',
  `    MQTT over TCP        ${mqtt ?? 'off (MQTT_PORT=off)'}`,
  `    MQTT over WebSocket  ${ws ?? 'off (WS_PORT=off)'}`,
  `    MQTT over TLS        ${mqtts ?? (hasTls ? 'off (MQTTS_PORT=off)' : 'off (set TLS_CERT_FILE and TLS_KEY_FILE)')}`,
  `    MQTT over secure WS  ${wss ?? (hasTls ? 'off (WSS_PORT=off)' : 'off (set TLS_CERT_FILE and TLS_KEY_FILE)')}`,
  `    REST API             ${api}   (docs: ${api}/docs, health: ${api}/healthz, metrics: ${api}/metrics)`,
  `    web chat page        ${api}/app/   (${config.DEV_SIGNIN ? 'development sign-in on: any name' : 'sign in with a device token; DEV_SIGNIN=true for sign-in by name'})`,
  `    database             ${db.kind === 'pglite' ? `PGlite in ${config.DATA_DIR}/pglite` : 'PostgreSQL (DATABASE_URL)'}`,
  `    broker state         ${platform.broker.stateKind === 'redis' ? 'Redis (REDIS_URL)' : 'in memory'}`,
  `    push                 ${firstProvider}`,
  ...otherProviders.map((line) => `                         ${line}`),
  secrets.adminTokenGenerated
    ? `    admin token          ${secrets.adminToken}   (generated now, kept in ${config.DATA_DIR}/secrets.json; shown once)`
    : `    admin token          from ${config.ADMIN_TOKEN === undefined ? `${config.DATA_DIR}/secrets.json` : 'ADMIN_TOKEN'}`,
  '',
  `  Try: curl -s -X POST ${api}/v1/users -H "authorization: Bearer <admin token>" -H 'content-type: application/json' -d '{"name":"alice"}'`,
  '',
].join('\n');
process.stdout.write(`${banner}\n`);

process.on('SIGHUP', () => void reloadTls(platform.broker, log));
onShutdownSignal(log, async () => {
  await platform.close();
  await push.close();
  await db.close();
});
