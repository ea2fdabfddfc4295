/**
 * Printing: the plain Aedes baseline, one table per backend, then the side-by-side summary
 * with the two aims of the issue, each judged from this run's own measurements, and how much
 * of the bare broker's fan-out rate the durable path reaches.
 */
import type { PhaseResult } from './load-protocol.js';
import type { PipelineOnlyResult } from './pipeline-only.js';
import type { PlatformWindowStats } from './platform-sample.js';
import type { RawCeilingResult } from './raw-ceiling.js';
import type { StartupResult } from './startup.js';
import type { LatencySummary } from './stats.js';

/** The durable path should sustain at least this share of the raw ceiling... */
export const AIM_THROUGHPUT_RATIO = 0.5;
/** ...and, offered half the raw ceiling, deliver with a p99 under this. */
export const AIM_DELIVERY_P99_MS = 50;
/** The embedded default (PGlite) should sustain at least this share of plain Aedes relaying the same load (issue 12). */
export const AIM_EMBEDDED_VS_PLAIN = 0.6;
/** Below this share of the offered load acked, the paced phase did not keep up and its latencies measure a queue. */
const KEPT_UP_RATIO = 0.98;
/**
 * At or above this event loop utilization the load thread, not the broker, may have set the
 * baseline's rate: the generator shares the machine's cores with the broker it measures.
 */
const LOAD_BOUND_UTILIZATION = 0.9;

/** One load phase: what the devices saw, and what the broker's process did meanwhile. */
export interface MeasuredPhase {
  load: PhaseResult;
  platform: PlatformWindowStats;
  /** Connections the platform closed on its own during the whole phase, by reason (`chat_mqtt_disconnects_total`). */
  closedByPlatform: Readonly<Record<string, number>>;
}

export interface BackendReport {
  label: string;
  saturation: MeasuredPhase;
  raw: RawCeilingResult;
  rowsPerStatement: number;
  offeredMsgsPerSec: number;
  isRateFromFlag: boolean;
  paced: MeasuredPhase;
  /** Phase 2b, only with --feeders. */
  pipelineOnly: PipelineOnlyResult | undefined;
}

/** Phase 0, once per run: the same saturation load on a bare Aedes broker. */
export interface BaselineReport {
  label: string;
  saturation: MeasuredPhase;
}

export type BackendOutcome = { backend: string; report: BackendReport } | { backend: string; skipped: string };

const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
const ms = (n: number) => (Number.isFinite(n) ? (n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0)) : '-');
const pct = (ratio: number) => `${(ratio * 100).toFixed(0)}%`;
const latency = (s: LatencySummary) => `${ms(s.p50Ms)} / ${ms(s.p99Ms)} / ${ms(s.maxMs)}`;
const verdict = (met: boolean) => (met ? 'aim met' : 'aim MISSED');

export const throughputRatio = (r: BackendReport) => r.saturation.load.ackedMsgsPerSec / r.raw.rowsPerSec;
const baselineRatio = (r: BackendReport, baseline: BaselineReport) =>
  r.saturation.load.ackedMsgsPerSec / baseline.saturation.load.ackedMsgsPerSec;
const isLoadBound = (baseline: BaselineReport) => baseline.saturation.load.loadLoopUtilization >= LOAD_BOUND_UTILIZATION;
const keptUp = (r: BackendReport) =>
  r.paced.load.ackedMsgsPerSec >= KEPT_UP_RATIO * r.offeredMsgsPerSec && r.paced.load.unacked === 0 && r.paced.load.notOffered === 0;
const deliveryAimMet = (r: BackendReport) =>
  keptUp(r) && r.paced.load.delivery.p99Ms < AIM_DELIVERY_P99_MS && r.paced.load.undelivered === 0;

export function printBaselineTable(baseline: BaselineReport, window: number): void {
  const { load } = baseline.saturation;
  const rows: string[][] = [
    ['phase', 'rate', 'publish→PUBACK p50/p99/max ms', 'publish→delivery p50/p99/max ms'],
    [
      `0 plain Aedes fan-out, saturation (window ${window}/client)`,
      `${int(load.ackedMsgsPerSec)} msg/s`,
      latency(load.ack),
      latency(load.delivery),
    ],
  ];
  console.log(`\n${baseline.label} (baseline: in memory, no auth, no ACL, no database; publishes straight to the room topic)`);
  printColumns(rows);
  console.log(`  phase 0 CPU:    ${cpuLine(baseline.saturation, 'broker')}`);
  console.log(`  phase 0 CPU per acked publish: ${threadLine(baseline.saturation)}`);
  if (isLoadBound(baseline))
    console.log('  note: the load thread was saturated too, so this rate is a lower bound of what the broker alone can fan out here');
  const problems = loadProblems('phase 0', load);
  console.log(`  problems: ${problems.length === 0 ? 'none (every measured publish acked and delivered)' : problems.join('; ')}`);
}

export function printBackendTable(report: BackendReport, window: number): void {
  const { saturation, raw, paced } = report;
  const rows: string[][] = [
    ['phase', 'rate', 'send→ack p50/p99/max ms', 'send→delivery p50/p99/max ms'],
    [
      `1 durable, saturation (window ${window}/client)`,
      `${int(saturation.load.ackedMsgsPerSec)} msg/s`,
      latency(saturation.load.ack),
      latency(saturation.load.delivery),
    ],
    [
      `2 raw ceiling (${report.rowsPerStatement} rows/INSERT)`,
      `${int(raw.rowsPerSec)} rows/s`,
      `statement ${latency(raw.statementLatency)}`,
      '',
    ],
    ...pipelineOnlyRows(report),
    [
      `3 durable, paced at ${int(report.offeredMsgsPerSec)} msg/s`,
      `${int(paced.load.ackedMsgsPerSec)} msg/s`,
      latency(paced.load.ack),
      latency(paced.load.delivery),
    ],
  ];
  console.log(`\n${report.label}`);
  printColumns(rows);
  console.log(`  phase 1 bridge: ${bridgeLine(saturation)}`);
  console.log(`  phase 1 CPU:    ${cpuLine(saturation, 'platform')}`);
  console.log(`  phase 1 CPU per acked send: ${threadLine(saturation)}`);
  if (report.pipelineOnly !== undefined) console.log(`  phase 2b: ${pipelineOnlyLine(report)}`);
  console.log(`  phase 3 bridge: ${bridgeLine(paced)}`);
  console.log(`  phase 3 CPU:    ${cpuLine(paced, 'platform')}`);
  console.log(`  phase 3 load generator: p99 ${ms(paced.load.generatorLagP99Ms)} ms late (included in its latencies)`);
  const problems = problemsOf(report);
  console.log(`  problems: ${problems.length === 0 ? 'none (every measured send acked and delivered, no Nacks)' : problems.join('; ')}`);
}

function pipelineOnlyRows({ pipelineOnly: p, raw }: BackendReport): string[][] {
  if (p === undefined) return [];
  return [
    [
      `2b send pipeline alone, no broker (${p.feeders} feeders, ${p.inFlight} in flight)`,
      `${int(p.ackedMsgsPerSec)} msg/s`,
      `${latency(p.sendToAck)}`,
      `${pct(p.ackedMsgsPerSec / raw.rowsPerSec)} of raw`,
    ],
  ];
}

function pipelineOnlyLine({ pipelineOnly: p, raw, saturation }: BackendReport): string {
  if (p === undefined) return '';
  const refused = p.refused > 0 ? `; ${int(p.refused)} sends NOT stored (the figure is wrong)` : '';
  return (
    `${p.meanBatchSize.toFixed(1)} sends/batch; sequencing and storage reach ${pct(p.ackedMsgsPerSec / raw.rowsPerSec)} of the raw ceiling ` +
    `with the broker removed, the durable path over MQTT ${pct(saturation.load.ackedMsgsPerSec / p.ackedMsgsPerSec)} of that${refused}`
  );
}

function bridgeLine(phase: MeasuredPhase): string {
  const p = phase.platform;
  return `${p.meanBatchSize.toFixed(1)} sends/batch, ${int(p.batchesPerSec)} batches/s, commit ${ms(p.meanCommitMs)} ms mean, inside a commit ${pct(p.commitBusyFraction)} of the time`;
}

function cpuLine(phase: MeasuredPhase, loopOwner: 'platform' | 'broker'): string {
  const p = phase.platform;
  const others = Math.max(0, p.machineBusyCores - p.processCores);
  return (
    `machine ${p.machineBusyCores.toFixed(2)} of ${p.coreCount} cores busy: bench process ${p.processCores.toFixed(2)} ` +
    `(${loopOwner} event loop ${pct(p.platformLoopUtilization)}, load thread ${pct(phase.load.loadLoopUtilization)}), other processes ${others.toFixed(2)}`
  );
}

/** Where the CPU of one acknowledged message went, by thread: busy shares of a shared machine's wall time say less. */
function threadLine(phase: MeasuredPhase): string {
  const threads = phase.platform.threadCpuMs;
  if (threads === undefined) return 'not measured (needs Linux /proc)';
  const messages = phase.load.ackedMsgsPerSec * phase.platform.windowSeconds;
  const perMessage = (ms: number) => `${int((Math.max(0, ms) * 1000) / messages)} µs`;
  const pglite = threads.pglite > 0 ? `, PGlite thread ${perMessage(threads.pglite)}` : '';
  return `main thread ${perMessage(threads.main)}${pglite}, load thread ${perMessage(threads.load)}, other threads ${perMessage(threads.other)}`;
}

function loadProblems(name: string, load: PhaseResult): string[] {
  const problems: string[] = [];
  const { nacks, unacked, undelivered, publishErrors } = load;
  if (nacks > 0) problems.push(`${name}: ${nacks} Nacks`);
  if (unacked > 0) problems.push(`${name}: ${unacked} measured sends never acked`);
  if (undelivered > 0) problems.push(`${name}: ${undelivered} measured sends never delivered`);
  if (publishErrors > 0) problems.push(`${name}: ${publishErrors} publish errors so far`);
  return problems;
}

/** The load generator's devices do not reconnect: a connection the platform cut stays away for the rest of the phase. */
function closedProblems(name: string, phase: MeasuredPhase): string[] {
  const reasons = Object.entries(phase.closedByPlatform).filter(([, count]) => count > 0);
  if (reasons.length === 0) return [];
  const total = reasons.reduce((sum, [, count]) => sum + count, 0);
  const byReason = reasons.map(([reason, count]) => `${reason} ${int(count)}`).join(', ');
  return [`${name}: the platform closed ${int(total)} of the load's connections (${byReason}); they do not reconnect`];
}

function problemsOf(report: BackendReport): string[] {
  const problems = [
    ...loadProblems('phase 1', report.saturation.load),
    ...closedProblems('phase 1', report.saturation),
    ...loadProblems('phase 3', report.paced.load),
    ...closedProblems('phase 3', report.paced),
  ];
  if (report.paced.load.notOffered > 0)
    problems.push(`phase 3: ${int(report.paced.load.notOffered)} scheduled sends not offered (over a second of backlog)`);
  if (!keptUp(report))
    problems.push('phase 3 did not keep up with the offered load: its latencies measure a growing queue, and are a lower bound');
  return problems;
}

/** Start-up of `npm start`: seconds to the banner and resident memory. */
export function printStartupTable(results: readonly StartupResult[], skipped: readonly string[]): void {
  const mib = (n: number | undefined) => (n === undefined ? '-' : `${int(n)} MiB`);
  const rows: string[][] = [
    ['start-up (npm start, until the banner)', 'seconds', 'RSS at banner', 'RSS idle 5 s later', 'peak', 'peak with child processes'],
    ...results.map((r) => [r.label, r.seconds.toFixed(1), mib(r.rssAtReadyMiB), mib(r.rssIdleMiB), mib(r.peakMiB), mib(r.treePeakMiB)]),
  ];
  console.log('\nstart-up');
  printColumns(rows);
  for (const reason of skipped) console.log(`  ${reason}`);
}

export function printSummary(outcomes: readonly BackendOutcome[], baseline: BaselineReport): void {
  const rows: string[][] = [
    [
      'backend',
      'durable msg/s',
      'durable / plain Aedes',
      `aim >= ${AIM_EMBEDDED_VS_PLAIN.toFixed(1)}x (PGlite)`,
      'raw rows/s',
      'durable/raw',
      `aim >= ${pct(AIM_THROUGHPUT_RATIO)}`,
      'offered msg/s',
      'delivery p99',
      `aim < ${AIM_DELIVERY_P99_MS} ms`,
    ],
  ];
  for (const outcome of outcomes) {
    if ('skipped' in outcome) {
      rows.push([outcome.backend, 'skipped', '', '', '', '', '', '', '', '']);
      continue;
    }
    const r = outcome.report;
    const offered = `${int(r.offeredMsgsPerSec)}${r.isRateFromFlag ? ' (--rate)' : ' (50% raw)'}`;
    const delivery = `${ms(r.paced.load.delivery.p99Ms)} ms${keptUp(r) ? '' : ' (fell behind)'}`;
    rows.push([
      r.label,
      int(r.saturation.load.ackedMsgsPerSec),
      `${baselineRatio(r, baseline).toFixed(2)}x`,
      outcome.backend === 'pglite' ? verdict(baselineRatio(r, baseline) >= AIM_EMBEDDED_VS_PLAIN) : '(reference)',
      int(r.raw.rowsPerSec),
      pct(throughputRatio(r)),
      verdict(throughputRatio(r) >= AIM_THROUGHPUT_RATIO),
      offered,
      delivery,
      verdict(deliveryAimMet(r)),
    ]);
  }
  const plain = baseline.saturation.load;
  console.log(
    `\nsummary (baseline ${baseline.label} fan-out: ${int(plain.ackedMsgsPerSec)} msg/s at saturation, ` +
      `publish→delivery p50 ${ms(plain.delivery.p50Ms)} ms, p99 ${ms(plain.delivery.p99Ms)} ms` +
      `${isLoadBound(baseline) ? '; load thread saturated, so a lower bound and the ratio an upper bound' : ''})`,
  );
  printColumns(rows);
}

function printColumns(rows: readonly string[][]): void {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]?.length ?? 0)));
  for (const row of rows)
    console.log(
      `  ${row
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd()}`,
    );
}
