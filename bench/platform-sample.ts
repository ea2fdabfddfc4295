/**
 * What the platform itself reports about a measured window: the bridge's batch histograms
 * (from its Prometheus metrics) and how busy the main thread's event loop was. With PGlite
 * the database runs on that same thread; with PostgreSQL it is another process.
 */
import { cpus } from 'node:os';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { Histogram } from 'prom-client';
import type { Metrics } from '../lib/metrics.js';
import { sampleThreadCpu, threadCpuDelta, type ThreadCpuMs } from './thread-cpu.js';

interface Sample {
  atMs: number;
  batches: number;
  sends: number;
  commitSeconds: number;
  loop: EventLoopUtilization;
  /** CPU time of this process, all threads (platform, load, PGlite). */
  processCpuMicros: number;
  /** Busy and total CPU time of the whole machine, summed over cores. */
  machineBusyMs: number;
  machineTotalMs: number;
  /** CPU time of this process's threads by role; undefined without /proc. */
  threads: ThreadCpuMs | undefined;
}

export interface PlatformWindowStats {
  windowSeconds: number;
  batchesPerSec: number;
  meanBatchSize: number;
  meanCommitMs: number;
  /** Share of the window the bridge spent inside a batch transaction (it runs one at a time). */
  commitBusyFraction: number;
  /** Share of the window the platform's event loop was running code rather than waiting. */
  platformLoopUtilization: number;
  /** Cores' worth of CPU the whole machine used: near the core count, the machine was the limit. */
  machineBusyCores: number;
  /** Of which this process (platform + simulated devices; with PGlite, the database too). */
  processCores: number;
  coreCount: number;
  /** CPU milliseconds each thread role used in the window (main, PGlite worker, load generator, the rest). */
  threadCpuMs: ThreadCpuMs | undefined;
}

async function histogramTotals(histogram: Histogram): Promise<{ sum: number; count: number }> {
  const { values } = await histogram.get();
  const find = (suffix: string) =>
    values.find((v) => 'metricName' in v && typeof v.metricName === 'string' && v.metricName.endsWith(suffix))?.value ?? 0;
  return { sum: find('_sum'), count: find('_count') };
}

const NO_BATCHES = { sum: 0, count: 0 };

/** `metrics` undefined: a broker without the platform (the plain Aedes baseline), CPU figures only. */
export async function samplePlatform(metrics: Metrics | undefined): Promise<Sample> {
  const atMs = performance.now();
  const loop = performance.eventLoopUtilization();
  const batch = metrics === undefined ? NO_BATCHES : await histogramTotals(metrics.sendBatchSize);
  const commit = metrics === undefined ? NO_BATCHES : await histogramTotals(metrics.sendCommitSeconds);
  const cpuUsage = process.cpuUsage();
  const machine = machineCpuMs();
  return {
    atMs,
    batches: batch.count,
    sends: batch.sum,
    commitSeconds: commit.sum,
    loop,
    processCpuMicros: cpuUsage.user + cpuUsage.system,
    machineBusyMs: machine.busyMs,
    machineTotalMs: machine.totalMs,
    threads: sampleThreadCpu(),
  };
}

function machineCpuMs(): { busyMs: number; totalMs: number } {
  let busyMs = 0;
  let totalMs = 0;
  for (const { times } of cpus()) {
    const coreTotalMs = times.user + times.nice + times.sys + times.irq + times.idle;
    totalMs += coreTotalMs;
    busyMs += coreTotalMs - times.idle;
  }
  return { busyMs, totalMs };
}

export function windowStats(start: Sample, end: Sample): PlatformWindowStats {
  const seconds = (end.atMs - start.atMs) / 1000;
  const batches = end.batches - start.batches;
  const commitSeconds = end.commitSeconds - start.commitSeconds;
  return {
    windowSeconds: seconds,
    batchesPerSec: batches / seconds,
    meanBatchSize: batches === 0 ? 0 : (end.sends - start.sends) / batches,
    meanCommitMs: batches === 0 ? 0 : (commitSeconds * 1000) / batches,
    commitBusyFraction: commitSeconds / seconds,
    platformLoopUtilization: performance.eventLoopUtilization(end.loop, start.loop).utilization,
    // os.cpus() times tick at 10 ms: over a window of seconds that is precise enough.
    machineBusyCores: (cpus().length * (end.machineBusyMs - start.machineBusyMs)) / (end.machineTotalMs - start.machineTotalMs),
    processCores: (end.processCpuMicros - start.processCpuMicros) / 1e6 / seconds,
    coreCount: cpus().length,
    threadCpuMs: threadCpuDelta(start.threads, end.threads),
  };
}
