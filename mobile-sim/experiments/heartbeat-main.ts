/**
 * `npm run sim:heartbeat [-- --out <file.svg>] [--hours <n>]`: runs the heartbeat experiment in
 * virtual time, prints its tables and verdicts, and writes the plot of the adaptive interval.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_EXPERIMENT_DURATION_MS, runHeartbeatExperiment } from './heartbeat-experiment.js';
import { formatAssumptions, formatExperiment } from './heartbeat-report.js';
import { renderIntervalPlot } from './heartbeat-svg.js';

const DEFAULT_OUT = 'sim-output/heartbeat.svg';
/** The background-chat scenario: a quiet conversation, a message every 10 minutes on average. */
const CHAT_MESSAGES_PER_HOUR = 6;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: DEFAULT_OUT },
      hours: { type: 'string', default: String(DEFAULT_EXPERIMENT_DURATION_MS / 3_600_000) },
    },
  });
  const hours = Number(values.hours);
  if (!(hours > 0)) throw new RangeError(`--hours must be a positive number, got ${values.hours}`);
  const durationMs = hours * 3_600_000;

  const idle = runHeartbeatExperiment({ durationMs });
  const chatting = runHeartbeatExperiment({ durationMs, chatMessagesPerHour: CHAT_MESSAGES_PER_HOUR });
  console.log([formatAssumptions(), '', formatExperiment(idle), '', formatExperiment(chatting)].join('\n'));

  const series = idle.cases
    .filter((c) => c.policy.id === 'adaptive')
    .map((c) => ({ natTimeoutMs: c.natTimeoutMs, pingLog: c.result.pingLog }));
  const outPath = resolve(values.out);
  await mkdir(dirname(outPath), { recursive: true });
  await writeFile(
    outPath,
    renderIntervalPlot(series, durationMs, `Adaptive heartbeat interval over ${hours} h (idle phone), per NAT timeout`),
  );
  console.log(`\nPlot of the adaptive interval over time: ${outPath}`);
}

await main();
