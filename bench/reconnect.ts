/**
 * `npm run bench:reconnect`: the thundering herd. Thousands of phones (the SDK's connection
 * loop, in worker processes) are connected to the platform with real device tokens; the
 * platform is stopped (SIGTERM, and SIGKILL) and started again on the same ports and data, and
 * every phone reconnects, once with the SDK's full-jitter backoff and once retrying at once.
 * Prints the peak connects/s, refusals by CONNACK code and the time until every phone is back,
 * and checks that no session that was back is dropped while the others come back (each sends
 * probes that must be acked). Exits 1 if a round does not finish or a live session is dropped.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { parseReconnectArgs, USAGE, type ReconnectOptions } from './reconnect-args.js';
import { startHerd, type Herd } from './reconnect-herd.js';
import { BENCH_ADMIN_TOKEN, startBenchPlatform, type BenchPlatform } from './reconnect-platform.js';
import { provisionHerd } from './reconnect-provision.js';
import { mergeStats, renderPlot, resultTable, roundResult, type RoundResult } from './reconnect-report.js';

const PROGRESS_EVERY_MS = 2000;
const SVG_PATH = 'bench-output/reconnect.svg';

const log = (line: string): void => void process.stdout.write(`${line}\n`);
// Exiting runs the exit hook that kills the platform process; the workers leave when their channel closes.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

function progressLine(herd: Herd, label: string, sinceMs: number, total: number): string {
  const { connected, counters } = herd.progress();
  const refusals =
    Object.entries(counters.refusals)
      .map(([code, n]) => `${n}×CONNACK ${code}`)
      .join(', ') || 'none';
  return `${label} | ${((Date.now() - sinceMs) / 1000).toFixed(0)} s | connected ${connected}/${total} | attempts ${counters.attempts} | refused ${refusals} | no CONNACK ${counters.networkFailures} | live dropped ${counters.liveDropped}`;
}

async function runRound(
  platform: BenchPlatform,
  herd: Herd,
  options: ReconnectOptions,
  index: number,
  signal: RoundResult['signal'],
  policy: RoundResult['policy'],
): Promise<RoundResult> {
  const label = `round ${index} (${signal}, ${policy === 'jitter' ? 'SDK full jitter' : 'immediate retry'})`;
  herd.arm(index, policy);
  const startedAt = Date.now();
  const progress = setInterval(() => log(progressLine(herd, label, startedAt, options.clients)), PROGRESS_EVERY_MS);
  try {
    const restart = await platform.restart(signal);
    log(
      `${label}: platform stopped in ${((restart.exitedAtMs - restart.killedAtMs) / 1000).toFixed(1)} s${restart.forced ? ' (SIGTERM hung: killed)' : ''}, serving again ${((restart.readyAtMs - restart.killedAtMs) / 1000).toFixed(1)} s after the stop`,
    );
    // Every phone lost its session when the platform went; the round ends when each is back.
    await herd.until(
      (p) => p.connected === options.clients && p.counters.back >= options.clients,
      options.roundLimitMs,
      `${label}: every client back`,
    );
    const result = roundResult(signal, policy, restart, mergeStats(await herd.collect()));
    log(
      `${label}: every client back ${(result.allBackAfterKillMs / 1000).toFixed(1)} s after the stop, peak ${result.peakConnectsPerSec} connects/s`,
    );
    return result;
  } finally {
    clearInterval(progress);
  }
}

async function main(options: ReconnectOptions): Promise<number> {
  log(`bench:reconnect: ${options.clients} clients in ${options.workers} processes, rooms of ${options.roomSize}`);
  const platform = await startBenchPlatform();
  let herd: Herd | undefined;
  try {
    const apiUrl = `http://127.0.0.1:${platform.apiPort}`;
    const provisionStart = Date.now();
    const clients = await provisionHerd(apiUrl, BENCH_ADMIN_TOKEN, options.clients, options.roomSize);
    log(`provisioned ${clients.length} users, tokens and rooms in ${((Date.now() - provisionStart) / 1000).toFixed(1)} s`);
    const connectStart = Date.now();
    herd = startHerd({
      mqttUrl: `mqtt://127.0.0.1:${platform.mqttPort}`,
      clients,
      workers: options.workers,
      stableAfterMs: options.stableAfterMs,
      connectTimeoutMs: options.connectTimeoutMs,
      seed: options.seed,
    });
    const herdRef = herd;
    const progress = setInterval(() => log(progressLine(herdRef, 'first connect', connectStart, options.clients)), PROGRESS_EVERY_MS);
    await herd.until((p) => p.connected === options.clients, options.roundLimitMs, 'first connect').finally(() => clearInterval(progress));
    log(`all ${options.clients} connected in ${((Date.now() - connectStart) / 1000).toFixed(1)} s`);

    const results: RoundResult[] = [];
    for (const policy of options.policies)
      for (const signal of options.signals) {
        // Sessions must have lasted stableAfterMs, so every client starts the round at backoff attempt 0, as a phone would.
        await new Promise((resolve) => setTimeout(resolve, options.stableAfterMs + 1000));
        results.push(await runRound(platform, herd, options, results.length + 1, signal, policy));
      }

    log(`\n${resultTable(results)}\n`);
    log(
      'all back: from the stop / from the platform serving again. no CONNACK: attempts refused before MQTT (connection refused, reset, timeout).',
    );
    log('back while stopping: sessions the stopping platform still accepted during its shutdown, closed again when it exited.');
    log(
      'live dropped: sessions on the restarted platform lost while the others reconnected. probes: sends from live sessions during the herd, each acked.',
    );
    for (const r of results.filter((r) => r.liveDropped.length > 0)) {
      const afterTimeout = r.liveDropped.filter((d) => d.afterConnectTimeout).length;
      const examples = r.liveDropped
        .slice(0, 3)
        .map((d) => `${d.reason} ${((d.lostAtMs - d.backAtMs) / 1000).toFixed(1)} s after it was back`);
      log(
        `${r.signal} ${r.policy} round: ${r.liveDropped.length} live sessions dropped, ${afterTimeout} of them on clients that had abandoned a CONNECT (no CONNACK within the connect timeout) earlier in the round; e.g. ${examples.join('; ')}`,
      );
    }
    if (options.svg) {
      await mkdir('bench-output', { recursive: true });
      await writeFile(SVG_PATH, renderPlot(results, options.clients));
      log(`plot: ${SVG_PATH}`);
    }
    const isHealthy = results.every((r) => r.liveDropped.length === 0 && r.stats.probesFailed === 0 && r.stats.gaveUp === 0);
    if (!isHealthy) log('FAILED: a live session was dropped, a probe went unacked, or a client gave up');
    return isHealthy ? 0 : 1;
  } finally {
    await herd?.close();
    await platform.stop();
  }
}

let options: ReconnectOptions;
try {
  options = parseReconnectArgs(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
process.exit(await main(options));
