/**
 * Benchmark of the durable path (docs/durable-path.md#throughput). First, once per run, the
 * baseline:
 *   0. plain Aedes fan-out: the same clients, rooms, bodies and window on a bare Aedes broker
 *      (in memory, no auth, no ACL, no database), each client publishing QoS 1 straight to its
 *      room topic; msgs/s at PUBACK and publish→delivery, the ceiling of the broker's fan-out.
 * Then per database backend:
 *   1. saturation: N devices keep W sends each in flight through MQTT in → Postgres → MQTT
 *      out; sustained acked msgs/s and send→ack / send→delivery latencies;
 *   2. raw ceiling: the same database takes the same rows as batched multi-row INSERTs with
 *      no broker in front;
 *   2b. with --feeders F: the send pipeline fed straight by F feeders, no broker in front
 *      (pipeline-only.ts): sequencing and storage alone, next to the raw ceiling;
 *   3. half load: sends paced open-loop at half the raw ceiling (or --rate); latencies.
 * The aim (issue): (1) >= 50% of (2), and p99 send→delivery < 50 ms in (3); the summary also
 * shows (1) as a share of (0).
 * Run: npm run bench:durable -- [--clients 50 --rooms 10 --seconds 10 --backend both ...]
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Metrics } from '../lib/metrics.js';
import { parseBenchArgs, USAGE, type BackendName, type BenchOptions } from './args.js';
import { createScratchPostgres, openBenchDatabase, type BenchDatabase } from './backends.js';
import { BENCH_DEVICE_ID, startFixture, type BenchFixture } from './fixture.js';
import { startLoad, type LoadGenerator } from './load.js';
import type { PhaseSpec } from './load-protocol.js';
import { startPlainAedes } from './plain-aedes.js';
import { samplePlatform, windowStats } from './platform-sample.js';
import { measurePipelineOnly, type PipelineOnlyResult } from './pipeline-only.js';
import { measureRawCeiling } from './raw-ceiling.js';
import { measurePgliteStartup, measurePostgresStartup, type StartupResult } from './startup.js';
import {
  printBackendTable,
  printBaselineTable,
  printStartupTable,
  printSummary,
  type BackendOutcome,
  type BackendReport,
  type BaselineReport,
  type MeasuredPhase,
} from './report.js';

/** Not measured: lets connections, JIT and the database's caches settle before each load phase. */
const WARMUP_MS = 1_000;
/**
 * The saturation phases warm up longer: V8 compiles PGlite's WASM (all of Postgres) to optimised
 * code only as its functions get hot, on background threads, for several seconds of load after
 * the database opens; measured from the first second, PGlite paid that one-off compile per message.
 */
const SATURATION_WARMUP_MS = 5_000;

interface RunContext {
  options: BenchOptions;
  database: BenchDatabase;
  fixture: BenchFixture;
  load: LoadGenerator;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function progress(label: string, phase: string, elapsedMs: number, total: number, lastSecond: number, unit: string): void {
  process.stderr.write(
    `  [${label}] ${phase} ${(elapsedMs / 1000).toFixed(0).padStart(3)} s: ${fmt(total)} ${unit} so far, ${fmt(lastSecond)}/s\n`,
  );
}

/**
 * Runs one load phase and samples the process (and the platform's own metrics, if any) at the
 * edges of its measured window.
 */
async function measuredPhase(
  load: LoadGenerator,
  metrics: Metrics | undefined,
  spec: PhaseSpec,
  label: string,
  phase: string,
): Promise<MeasuredPhase> {
  const closedBefore = await closedByReason(metrics);
  const startSample = sleep(spec.warmupMs).then(() => samplePlatform(metrics));
  const endSample = sleep(spec.warmupMs + spec.measureMs).then(() => samplePlatform(metrics));
  const result = await load.run(spec, (p) => progress(label, phase, p.elapsedMs, p.ackedTotal, p.ackedLastSecond, 'acked'));
  const closedAfter = await closedByReason(metrics);
  const closedByPlatform = Object.fromEntries(
    Object.entries(closedAfter).map(([reason, count]) => [reason, count - (closedBefore[reason] ?? 0)]),
  );
  return { load: result, platform: windowStats(await startSample, await endSample), closedByPlatform };
}

/** The platform's `chat_mqtt_disconnects_total` by reason (nothing for the plain Aedes baseline). */
async function closedByReason(metrics: Metrics | undefined): Promise<Record<string, number>> {
  if (metrics === undefined) return {};
  const { values } = await metrics.mqttDisconnects.get();
  return Object.fromEntries(values.map((v) => [String(v.labels['reason']), v.value]));
}

const durablePhase = (ctx: RunContext, spec: PhaseSpec, phase: string) =>
  measuredPhase(ctx.load, ctx.fixture.platform.metrics, spec, ctx.database.label, phase);

const saturationSpec = (options: BenchOptions): PhaseSpec => ({
  kind: 'saturation',
  windowPerClient: options.window,
  warmupMs: SATURATION_WARMUP_MS,
  measureMs: options.phaseSeconds * 1000,
});

/** Phase 0: the same saturation load, with the same load thread, on a bare Aedes broker in this process. */
async function benchPlainAedes(options: BenchOptions): Promise<BaselineReport> {
  process.stderr.write('\nplain Aedes: starting the baseline broker...\n');
  const broker = await startPlainAedes(options);
  try {
    const load = await startLoad({
      target: 'plain-aedes',
      mqttUrl: broker.mqttUrl,
      clients: [...broker.clients],
      bodyBytes: options.bodyBytes,
    });
    try {
      const saturation = await measuredPhase(load, undefined, saturationSpec(options), broker.label, 'phase 0 saturation');
      const report = { label: broker.label, saturation };
      printBaselineTable(report, options.window);
      return report;
    } finally {
      await load.close();
    }
  } finally {
    await broker.close();
  }
}

async function runPhases(ctx: RunContext): Promise<BackendReport> {
  const { options, database, fixture } = ctx;
  const measureMs = options.phaseSeconds * 1000;
  const saturation = await durablePhase(ctx, saturationSpec(options), 'phase 1 saturation');
  const rowsPerStatement = fixture.platform.config.BATCH_MAX_MESSAGES; // the bridge's largest batch
  const raw = await measureRawCeiling(database.db, {
    rooms: options.rooms,
    senderIds: fixture.userIds,
    deviceId: BENCH_DEVICE_ID,
    bodyBytes: options.bodyBytes,
    rowsPerStatement,
    durationMs: measureMs,
    onProgress: (elapsedMs, rows, lastSecond) => progress(database.label, 'phase 2 raw ceiling', elapsedMs, rows, lastSecond, 'rows'),
  });
  const pipelineOnly = await pipelineOnlyPhase(ctx);
  const offeredMsgsPerSec = options.rateMsgsPerSec ?? raw.rowsPerSec / 2;
  const paced = await durablePhase(
    ctx,
    { kind: 'paced', rateMsgsPerSec: offeredMsgsPerSec, warmupMs: WARMUP_MS, measureMs },
    'phase 3 half load',
  );
  return {
    label: database.label,
    saturation,
    raw,
    rowsPerStatement,
    offeredMsgsPerSec,
    isRateFromFlag: options.rateMsgsPerSec !== undefined,
    paced,
    pipelineOnly,
  };
}

/** Phase 2b (--feeders): the platform's own send pipeline settings on the same database, fed with no broker. */
async function pipelineOnlyPhase({ options, database, fixture }: RunContext): Promise<PipelineOnlyResult | undefined> {
  if (options.feeders === 0) return undefined;
  return measurePipelineOnly(database.db, fixture.platform.config, fixture.clients, {
    feeders: options.feeders,
    // As many sends in flight as the MQTT phases keep (window per client), so batches can grow alike.
    windowPerFeeder: Math.ceil((fixture.clients.length * options.window) / options.feeders),
    bodyBytes: options.bodyBytes,
    warmupMs: SATURATION_WARMUP_MS,
    measureMs: options.phaseSeconds * 1000,
    onProgress: (elapsedMs, acked, lastSecond) => progress(database.label, 'phase 2b pipeline only', elapsedMs, acked, lastSecond, 'acked'),
  });
}

async function benchDatabase(options: BenchOptions, database: BenchDatabase): Promise<BackendReport> {
  const fixture = await startFixture(database.db, options);
  try {
    const load = await startLoad({
      target: 'platform',
      mqttUrl: fixture.platform.endpoints.mqtt!, // MQTT_PORT is never off here
      clients: [...fixture.clients],
      bodyBytes: options.bodyBytes,
    });
    try {
      return await runPhases({ options, database, fixture, load });
    } finally {
      await load.close();
    }
  } finally {
    await fixture.platform.close();
  }
}

async function benchBackend(options: BenchOptions, backend: BackendName): Promise<BackendOutcome> {
  process.stderr.write(`\n${backend}: opening the database...\n`);
  const opened = await openBenchDatabase(backend);
  if (opened.status === 'skipped') {
    console.log(`\n${backend}: SKIPPED, ${opened.reason}`);
    return { backend, skipped: opened.reason };
  }
  const { database } = opened;
  try {
    process.stderr.write(`${database.label}: ${database.detail}\n`);
    const report = await benchDatabase(options, database);
    printBackendTable(report, options.window);
    return { backend, report };
  } finally {
    await database.close();
  }
}

/** Start-up time and memory of each backend's `npm start`, before any load (the machine is as quiet as it gets). */
async function benchStartup(options: BenchOptions): Promise<void> {
  const results: StartupResult[] = [];
  const skipped: string[] = [];
  for (const backend of options.backends) {
    process.stderr.write(`\n${backend}: measuring start-up...\n`);
    if (backend === 'pglite') {
      results.push(...(await measurePgliteStartup()));
      continue;
    }
    const scratch = await createScratchPostgres();
    if ('problem' in scratch) {
      skipped.push(`PostgreSQL start-up: SKIPPED, ${scratch.problem}`);
      continue;
    }
    try {
      results.push(await measurePostgresStartup(scratch.url));
    } finally {
      await scratch.drop();
    }
  }
  printStartupTable(results, skipped);
}

async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    options = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  console.log(
    `durable path benchmark: ${options.clients} MQTT clients in ${options.rooms} rooms, ${options.bodyBytes}-byte bodies, ` +
      `${options.phaseSeconds} s measured per phase after ${SATURATION_WARMUP_MS / 1000} s (saturation) or ${WARMUP_MS / 1000} s warm-up; ` +
      'latencies in ms (p50 / p99 / max)',
  );
  await benchStartup(options);
  const baseline = await benchPlainAedes(options);
  const outcomes: BackendOutcome[] = [];
  for (const backend of options.backends) outcomes.push(await benchBackend(options, backend));
  printSummary(outcomes, baseline);
}

main().catch((error: unknown) => {
  console.error('benchmark failed:', error);
  process.exitCode = 1;
});
