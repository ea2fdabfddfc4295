/**
 * `npm run sim -- --clients 500 --rooms 50 --minutes 2 [--nat 30s] [--chaos]`: a fleet of
 * simulated phones against a real platform process, with a progress line while it runs and a
 * report at the end. Exits 1 when the checker finds any lost, duplicated, reordered or
 * disagreeing message (or the phones could not catch up), so it can gate CI.
 */
import { checkIsClean, formatFleetReport } from './fleet-report.js';
import { parseFleetArgs, USAGE, UsageRequested } from './fleet-args.js';
import { runFleet } from './fleet-run.js';

let options;
try {
  options = parseFleetArgs(process.argv.slice(2));
} catch (error) {
  const isHelp = error instanceof UsageRequested;
  process.stderr.write(`${isHelp ? '' : `${(error as Error).message}\n`}${USAGE}\n`);
  process.exit(isHelp ? 0 : 2);
}

const progress = (line: string) => process.stdout.write(`${line}\n`);
progress(
  `fleet: ${options.clients} phones, ${options.rooms} rooms, ${options.durationMs / 60_000} min, ` +
    `NAT ${options.natIdleTimeoutMs === undefined ? 'none' : `${options.natIdleTimeoutMs / 1000} s idle timeout`}, ` +
    `chaos ${options.chaos ? 'on' : 'off'}, transport ${options.transport}, SSE share ${options.sseShare}, seed ${options.seed}`,
);
const report = await runFleet(options, progress);
process.stdout.write(`\n${formatFleetReport(report)}\n`);
process.exit(checkIsClean(report) ? 0 : 1);
