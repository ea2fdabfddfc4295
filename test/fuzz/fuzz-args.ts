/** Command-line options of `npm run fuzz`, validated once so a typo fails with the flag's name. */
import { parseArgs } from 'node:util';
import { KNOWN_DEFECTS, type KnownDefect } from './generators/world.js';
import { TARGETS, type TargetName } from './harness/targets.js';

export const USAGE = `usage: npm run fuzz -- [options]
  --cases N                  cases in total, split evenly over the targets (default 10000)
  --seed N                   run seed (default: random, printed); the same seed makes the same cases
  --target T                 mqtt | ws | proto | rest | all, or a comma list (default all)
  --case I[,J|A-B]           replay these case indices of one --target, one at a time, checking after each
  --include-known-defects K  all | none | a comma list of ${KNOWN_DEFECTS.join(', ')} (default all):
                             inputs that hit the defects issue 9 lists as known
  --batch N                  cases between two checks of the platform (default 200)
  --lanes N                  cases in flight at once (default 12)
  --wait-ms N                bound of each wait inside a case (default 2000)
  --settle-ms N              how long the platform's fds may take to come back after a batch (default 5000)
  --no-minimize              report a batch-level finding by its batch instead of replaying it case by case
  --trace                    print every case's outcome and what it sent`;

export interface FuzzArgs {
  seed: number;
  cases: Partial<Record<TargetName, number>>;
  only: { target: TargetName; indices: number[] } | undefined;
  knownDefects: KnownDefect[];
  batchSize: number;
  lanes: number;
  waitMs: number;
  settleMs: number;
  minimize: boolean;
  trace: boolean;
  help: boolean;
}

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${flag} must be a positive integer, got ${JSON.stringify(text)}`);
  return value;
}

function targets(text: string): TargetName[] {
  if (text === 'all') return [...TARGETS];
  const names = text.split(',').map((s) => s.trim());
  for (const name of names)
    if (!(TARGETS as readonly string[]).includes(name))
      throw new RangeError(`--target must be one of ${TARGETS.join(', ')} or all, got ${JSON.stringify(name)}`);
  return names as TargetName[];
}

function knownDefects(text: string): KnownDefect[] {
  if (text === 'all') return [...KNOWN_DEFECTS];
  if (text === 'none') return [];
  const names = text.split(',').map((s) => s.trim());
  for (const name of names)
    if (!(KNOWN_DEFECTS as readonly string[]).includes(name))
      throw new RangeError(`--include-known-defects: unknown defect ${JSON.stringify(name)} (known: ${KNOWN_DEFECTS.join(', ')})`);
  return names as KnownDefect[];
}

/** "3,7,10-12" → [3, 7, 10, 11, 12]. */
function indices(text: string): number[] {
  return text.split(',').flatMap((part) => {
    const [from, to] = part.split('-').map((n) => Number(n));
    if (!Number.isInteger(from) || from! < 0 || (to !== undefined && (!Number.isInteger(to) || to < from!)))
      throw new RangeError(`--case: bad index or range ${JSON.stringify(part)}`);
    return Array.from({ length: (to ?? from!) - from! + 1 }, (_, i) => from! + i);
  });
}

export function parseFuzzArgs(argv: readonly string[], randomSeed: () => number): FuzzArgs {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      cases: { type: 'string', default: '10000' },
      seed: { type: 'string' },
      target: { type: 'string', default: 'all' },
      case: { type: 'string' },
      'include-known-defects': { type: 'string', default: 'all' },
      batch: { type: 'string', default: '200' },
      lanes: { type: 'string', default: '12' },
      'wait-ms': { type: 'string', default: '2000' },
      'settle-ms': { type: 'string', default: '5000' },
      'no-minimize': { type: 'boolean', default: false },
      trace: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const chosen = targets(values.target);
  const total = positiveInteger('--cases', values.cases);
  if (values.case !== undefined && chosen.length !== 1) throw new RangeError('--case needs exactly one --target');
  return {
    seed: values.seed === undefined ? randomSeed() : Number.parseInt(values.seed, 10) >>> 0,
    cases: Object.fromEntries(chosen.map((t, i) => [t, Math.floor(total / chosen.length) + (i < total % chosen.length ? 1 : 0)])),
    only: values.case === undefined ? undefined : { target: chosen[0]!, indices: indices(values.case) },
    knownDefects: knownDefects(values['include-known-defects']),
    batchSize: positiveInteger('--batch', values.batch),
    lanes: positiveInteger('--lanes', values.lanes),
    waitMs: positiveInteger('--wait-ms', values['wait-ms']),
    settleMs: positiveInteger('--settle-ms', values['settle-ms']),
    minimize: !values['no-minimize'],
    trace: values.trace,
    help: values.help,
  };
}
