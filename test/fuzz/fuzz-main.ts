/**
 * `npm run fuzz`: long fuzz runs against the platform as a child process, with a progress line
 * every few seconds and a summary naming every finding's seed and case. Exits 1 on a finding.
 */
import { randomInt } from 'node:crypto';
import { parseFuzzArgs, USAGE } from './fuzz-args.js';
import { progressLine, summary } from './harness/report.js';
import { createFuzzRun, failures } from './harness/runner.js';

const PROGRESS_EVERY_MS = 3000;

let args;
try {
  args = parseFuzzArgs(process.argv.slice(2), () => randomInt(2 ** 31));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
  process.exit(2);
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const log = (line: string): void => void process.stdout.write(`${line}\n`);
// Exiting runs the harness's exit hooks, which kill the platform it started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
log(`fuzz: seed ${args.seed}, known defects included: ${args.knownDefects.join(', ') || 'none'}`);
const run = createFuzzRun({ ...args, knownDefects: new Set(args.knownDefects), log });
const progress = setInterval(() => log(progressLine(run.report())), PROGRESS_EVERY_MS);
const report = await run.run().finally(() => clearInterval(progress));
log(summary(report, args.knownDefects));
process.exit(failures(report).length === 0 ? 0 : 1);
