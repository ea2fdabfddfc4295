/**
 * `npm start`: broker + bridge + api + push worker in one process (the embedded default,
 * docs/architecture.md#embedded-default); with WORKERS > 1, that many such processes behind one set
 * of ports, started and watched by a primary (docs/architecture.md#several-workers-on-one-machine).
 */
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { workerCount } from '../lib/config.js';
import { systemClock } from '../lib/clock.js';
import { createMetrics } from '../lib/metrics.js';
import { countPushBacklog } from '../store/index.js';
import { bootstrap, exitWith, onShutdownSignal } from './bootstrap.js';
import { pickSharedPorts, runPrimary } from './cluster-primary.js';
import { workerLinks } from './cluster-worker.js';
import { startPlatform } from './platform.js';
import { reloadTls } from './start-broker.js';
import { startPushProviders } from './push-providers.js';

const { config, log: rootLog, secrets, db } = await bootstrap('platform');
const workers = workerCount(config.WORKERS, availableParallelism());

const adminTokenLine = secrets.adminTokenGenerated
  ? `    admin token          ${secrets.adminToken}   (generated now, kept in ${config.DATA_DIR}/secrets.json; shown once)`
  : `    admin token          from ${config.ADMIN_TOKEN === undefined ? `${config.DATA_DIR}/secrets.json` : 'ADMIN_TOKEN'}`;

if (cluster.isPrimary && workers > 1) {
  // The primary made the secrets and migrated the database; the workers open their own pools.
  await db.close();
  const { MQTT_PORT, WS_PORT, MQTTS_PORT, WSS_PORT, API_PORT } = config;
  const ports = { MQTT_PORT, WS_PORT, API_PORT, ...(config.TLS_CERT_FILE === undefined ? {} : { MQTTS_PORT, WSS_PORT }) };
  runPrimary(rootLog, {
    count: workers,
    env: await pickSharedPorts(config.HOST, ports).catch(exitWith),
    banner: (lines) =>
      `${lines
        .map((line) => (line.startsWith('    admin token') ? adminTokenLine : line))
        .join('\n')
        .replace(
          /\n {4}broker state[^\n]*/,
          (state) => `${state}\n    workers              ${workers} processes (WORKERS=${config.WORKERS}), primary pid ${process.pid}`,
        )}\n`,
  });
} else {
  await runNode();
}

async function runNode(): Promise<void> {
  const links = workerLinks({ hasRedis: config.REDIS_URL !== undefined });
  const log = links === undefined ? rootLog : rootLog.child({ worker: links.index });
  const metrics = createMetrics({ defaultMetrics: true, pushBacklog: () => countPushBacklog(db, systemClock.now()) });
  // Every metric names its worker, so a scrape (which lands on any worker) says whose figures it shows.
  if (links !== undefined) metrics.registry.setDefaultLabels({ worker: String(links.index) });
  const runsPush = links?.runsPush ?? true;
  const push = runsPush
    ? await startPushProviders(config, { log }).catch(async (error: unknown) => {
        await db.close();
        return exitWith(error);
      })
    : undefined;
  const platform = await startPlatform(config, {
    db,
    secrets,
    log,
    metrics,
    ...(push === undefined ? {} : { pushProviders: push.providers }),
    ...(links?.presence === undefined ? {} : { presence: links.presence }),
    ...(links?.machineBus === undefined ? {} : { machineBus: links.machineBus }),
    ...(links?.remotePush === undefined ? {} : { remotePush: links.remotePush }),
  }).catch(async (error: unknown) => {
    await push?.close();
    await db.close();
    return exitWith(error);
  });
  links?.onPushWake(() => platform.push?.wake());

  const { mqtt, ws, mqtts, wss, api } = platform.endpoints;
  const [firstProvider = 'none', ...otherProviders] = push?.describe() ?? [];
  const hasTls = config.TLS_CERT_FILE !== undefined;
  const stateKinds = { redis: 'Redis (REDIS_URL)', memory: 'in memory', machine: 'in memory, publishes shared by the workers' };
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
    `    broker state         ${stateKinds[platform.broker.stateKind]}`,
    `    push                 ${firstProvider}`,
    ...otherProviders.map((line) => `                         ${line}`),
    adminTokenLine,
    '',
    `  Try: curl -s -X POST ${api}/v1/users -H "authorization: Bearer <admin token>" -H 'content-type: application/json' -d '{"name":"alice"}'`,
    '',
  ];
  if (links === undefined) process.stdout.write(`${banner.join('\n')}\n`);
  else {
    log.info({ pid: process.pid }, 'worker ready');
    links.ready(banner);
  }

  process.on('SIGHUP', () => void reloadTls(platform.broker, log));
  onShutdownSignal(log, async () => {
    await platform.close();
    await push?.close();
    await db.close();
  });
  if (links !== undefined) {
    // Ctrl-C reaches the whole process group; the primary answers it with one SIGTERM per worker.
    process.removeAllListeners('SIGINT');
    process.on('SIGINT', () => undefined);
  }
}
