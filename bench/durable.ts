/**
 * Benchmark of the durable path (DESIGN §6), per database backend:
 *   1. saturation: N devices keep W sends each in flight through MQTT in → Postgres → MQTT
 *      out; sustained acked msgs/s and send→ack / send→delivery latencies;
 *   2. raw ceiling: the same database takes the same rows as batched multi-row INSERTs with
 *      no broker in front;
 *   3. half load: sends paced open-loop at half the raw ceiling (or --rate); latencies.
 * The aim (issue): (1) >= 50% of (2), and p99 send→delivery < 50 ms in (3).
 * Run: npm run bench:durable -- [--clients 50 --rooms 10 --seconds 10 --backend both ...]
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseBenchArgs, USAGE, type BackendName, type BenchOptions } from './args.js';
import { openBenchDatabase, type BenchDatabase } from './backends.js';
import { BENCH_DEVICE_ID, startFixture, type BenchFixture } from './fixture.js';
import { startLoad, type LoadGenerator } from './load.js';
import type { PhaseSpec } from './load-protocol.js';
import { samplePlatform, windowStats } from './platform-sample.js';
import { measureRawCeiling } from './raw-ceiling.js';
import { printBackendTable, printSummary, type BackendOutcome, type BackendReport, type DurablePhase } from './report.js';

/** Not measured: lets connections, JIT and the database's caches settle before each durable phase. */
const WARMUP_MS = 1_000;

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

/** Runs one load phase and samples the platform's own metrics at the edges of its measured window. */
async function durablePhase(ctx: RunContext, spec: PhaseSpec, phase: string): Promise<DurablePhase> {
  const { metrics } = ctx.fixture.platform;
  const startSample = sleep(spec.warmupMs).then(() => samplePlatform(metrics));
  const endSample = sleep(spec.warmupMs + spec.measureMs).then(() => samplePlatform(metrics));
  const load = await ctx.load.run(spec, (p) => progress(ctx.database.label, phase, p.elapsedMs, p.ackedTotal, p.ackedLastSecond, 'acked'));
  return { load, platform: windowStats(await startSample, await endSample) };
}

async function runPhases(ctx: RunContext): Promise<BackendReport> {
  const { options, database, fixture } = ctx;
  const measureMs = options.phaseSeconds * 1000;
  const saturation = await durablePhase(
    ctx,
    { kind: 'saturation', windowPerClient: options.window, warmupMs: WARMUP_MS, measureMs },
    'phase 1 saturation',
  );
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
  };
}

async function benchDatabase(options: BenchOptions, database: BenchDatabase): Promise<BackendReport> {
  const fixture = await startFixture(database.db, options);
  try {
    const load = await startLoad({ mqttUrl: fixture.platform.endpoints.mqtt, clients: [...fixture.clients], bodyBytes: options.bodyBytes });
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
      `${options.phaseSeconds} s measured per phase after ${WARMUP_MS / 1000} s warm-up; latencies in ms (p50 / p99 / max)`,
  );
  const outcomes: BackendOutcome[] = [];
  for (const backend of options.backends) outcomes.push(await benchBackend(options, backend));
  printSummary(outcomes);
}

main().catch((error: unknown) => {
  console.error('benchmark failed:', error);
  process.exitCode = 1;
});
