/**
 * Every process of the split deployment serves /metrics with the process and runtime metrics and
 * its own: the broker (BROKER_METRICS_PORT) counts deliveries and their send-to-delivery latency,
 * the bridge (BRIDGE_METRICS_PORT) its sends and the push backlog, the api on API_PORT. The
 * shipped Grafana dashboard (ops/grafana/dashboard.json) uses only metric names they export.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendAvailable, createTestDatabase } from '../support/backends.js';
import { TestDevice } from '../support/device.js';
import { spawnPart, type PartProcess } from '../support/platform-process.js';
import { exportedNames, metricNamesIn, sampleValue } from '../support/prometheus.js';
import { rest } from '../support/rest-client.js';

const ADMIN_TOKEN = 'observability-test-admin-token';
const available = await backendAvailable('postgres');
const DASHBOARD = new URL('../../ops/grafana/dashboard.json', import.meta.url);

/** prom-client's collectDefaultMetrics, which every entry point turns on. */
const PROCESS_METRICS = ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_p99_seconds'];

async function scrape(url: string): Promise<string> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return response.text();
}

describe.skipIf(!available)('metrics of the split processes', () => {
  const parts: PartProcess[] = [];
  let dropDatabase: () => Promise<void> = () => Promise.resolve();
  let mqttUrl: string;
  let apiUrl: string;
  const metricsUrls: Record<'broker' | 'bridge' | 'api', string> = { broker: '', bridge: '', api: '' };

  beforeAll(async () => {
    const database = await createTestDatabase();
    dropDatabase = database.drop;
    const env = { DATABASE_URL: database.url, ADMIN_TOKEN, JWT_SECRET: 'observability-test-jwt-secret-0123456789' };
    const broker = await spawnPart(
      'broker',
      { ...env, BROKER_METRICS_PORT: '0' },
      /broker: (?<mqttUrl>mqtt:\/\/\S+).*metrics: (?<metricsUrl>http:\/\/\S+)/,
    );
    parts.push(broker);
    mqttUrl = broker.found['mqttUrl']!;
    metricsUrls.broker = broker.found['metricsUrl']!;
    const bridge = await spawnPart(
      'bridge',
      { ...env, BROKER_URL: mqttUrl, BRIDGE_METRICS_PORT: '0' },
      /bridge: consuming sends .*metrics: (?<metricsUrl>http:\/\/\S+);/,
    );
    parts.push(bridge);
    metricsUrls.bridge = bridge.found['metricsUrl']!;
    const api = await spawnPart('api', { ...env, BROKER_URL: mqttUrl }, /api: (?<apiUrl>http:\/\/\S+)/);
    parts.push(api);
    apiUrl = api.found['apiUrl']!;
    metricsUrls.api = `${apiUrl}/metrics`;
  }, 120_000);

  afterAll(async () => {
    for (const part of parts.reverse()) await part.stop('SIGTERM');
    await dropDatabase();
  });

  it('each process serves the process and runtime metrics', async () => {
    for (const url of Object.values(metricsUrls)) {
      const names = exportedNames(await scrape(url));
      for (const name of PROCESS_METRICS) expect(names, `${name} at ${url}`).toContain(name);
    }
    const other = await fetch(metricsUrls.broker.replace(/\/metrics$/, '/elsewhere'));
    expect(other.status).toBe(404);
  });

  it('counts a send, its deliveries and their latency, and reports the push backlog', async () => {
    const alice = (await rest(apiUrl, ADMIN_TOKEN, 'POST', '/v1/users', { name: 'alice' })).json.id as string;
    const bob = (await rest(apiUrl, ADMIN_TOKEN, 'POST', '/v1/users', { name: 'bob' })).json.id as string;
    const room = (await rest(apiUrl, ADMIN_TOKEN, 'POST', '/v1/rooms', { name: 'ops', kind: 'group', members: [alice, bob] })).json;
    const tokenOf = async (userId: string) =>
      (await rest(apiUrl, ADMIN_TOKEN, 'POST', '/v1/tokens', { userId, deviceId: 'phone' })).json.token as string;
    const alicePhone = await TestDevice.connect(mqttUrl, alice, 'phone', await tokenOf(alice));
    const bobPhone = await TestDevice.connect(mqttUrl, bob, 'phone', await tokenOf(bob));
    try {
      await alicePhone.joinRoom(room.id);
      await bobPhone.joinRoom(room.id);
      await alicePhone.send(room.id, 'm1', room.memberVersion, 'hello');
      await alicePhone.waitForAck('m1');
      await bobPhone.waitForMessages(room.id, 1);
      await alicePhone.waitForMessages(room.id, 1);
    } finally {
      await alicePhone.close();
      await bobPhone.close();
    }

    const broker = await scrape(metricsUrls.broker);
    // Both members' phones were handed the message: one delivery each, each timed.
    expect(sampleValue(broker, 'chat_deliveries_total')).toBe(2);
    expect(sampleValue(broker, 'chat_send_to_delivery_seconds_count')).toBe(2);
    expect(sampleValue(broker, 'chat_send_to_delivery_seconds_bucket', 'le="+Inf"')).toBe(2);

    const bridge = await scrape(metricsUrls.bridge);
    expect(sampleValue(bridge, 'chat_sends_total', 'outcome="stored"')).toBe(1);
    // Read from the database at the scrape: a number for each queue (bob looked online, so his push waits for its deadline).
    expect(sampleValue(bridge, 'chat_push_backlog', 'queue="outbox"')).toBeGreaterThanOrEqual(0);
    expect(sampleValue(bridge, 'chat_push_backlog', 'queue="deliveries"')).toBeGreaterThanOrEqual(0);
    expect(exportedNames(bridge)).toContain('chat_push_delay_seconds_bucket');
  });

  it('the Grafana dashboard queries only metrics the platform exports', async () => {
    expect([...metricNamesIn('histogram_quantile(0.95, sum by (le) (rate(a_bucket{job=~"$job"}[$__rate_interval]))) / b')]).toEqual([
      'a_bucket',
      'b',
    ]);
    const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
      templating: { list: { query: { query: string } }[] };
    };
    const queries = [
      ...dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr)),
      ...dashboard.templating.list.map((variable) => variable.query.query.replace(/^label_values\((.*),\s*\w+\)$/, '$1')),
    ];
    const used = new Set(queries.flatMap((query) => [...metricNamesIn(query)]));
    expect(used.size).toBeGreaterThan(10);
    for (const name of [
      'chat_send_to_delivery_seconds_bucket',
      'chat_deliveries_total',
      'chat_push_backlog',
      'chat_push_delay_seconds_bucket',
    ])
      expect(used).toContain(name);
    const exported = new Set<string>();
    for (const url of Object.values(metricsUrls)) for (const name of exportedNames(await scrape(url))) exported.add(name);
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
  });
});
