/** The fuzz run as text: a progress line, and the summary with every finding's reproducer. */
import { failures, type Finding, type FuzzReport } from './runner.js';
import { TARGETS } from './targets.js';

export function progressLine(report: FuzzReport): string {
  const seconds = report.durationMs / 1000;
  const total = TARGETS.reduce((sum, t) => sum + report.targets[t].cases, 0);
  const perTarget = TARGETS.map((t) => `${t} ${report.targets[t].cases}`).join('  ');
  const fds =
    report.fds === undefined
      ? ''
      : ` | platform fds ${report.fds.total} (${Object.entries(report.fds.byPort)
          .map(([p, n]) => `${p} ${n}`)
          .join(', ')})`;
  return `fuzz ${seconds.toFixed(0)} s | ${perTarget} | ${(total / Math.max(seconds, 1)).toFixed(0)} cases/s | findings ${failures(report).length}${fds}`;
}

export function reproduceCommand(seed: number, finding: Finding): string {
  if (finding.target === 'platform') return `npm run fuzz -- --seed ${seed}`;
  const cases = finding.caseIndex !== undefined ? `${finding.caseIndex}` : `${finding.batch[0]}-${finding.batch[1]}`;
  return `npm run fuzz -- --seed ${seed} --target ${finding.target} --case ${cases}`;
}

function topOutcomes(outcomes: Record<string, number>, count = 12): string {
  return Object.entries(outcomes)
    .sort(([, a], [, b]) => b - a)
    .slice(0, count)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
}

export function summary(report: FuzzReport, knownDefects: readonly string[]): string {
  const lines = [
    '',
    `fuzz summary: seed ${report.seed}, ${(report.durationMs / 1000).toFixed(1)} s, ${report.platformsStarted} platform start(s), ${report.canaryChecks} canary checks`,
    `known defects generated: ${knownDefects.length === 0 ? 'none' : knownDefects.join(', ')}`,
    '',
    `  target  cases    skipped  batches  outcomes`,
    ...TARGETS.map((t) => {
      const s = report.targets[t];
      return `  ${t.padEnd(6)}  ${String(s.cases).padStart(6)}  ${String(s.skippedKnownDefects).padStart(8)}  ${String(s.batches).padStart(7)}  ${topOutcomes(s.outcomes)}`;
    }),
    '',
  ];
  const failing = failures(report);
  const warnings = report.findings.filter((f) => !failing.includes(f));
  lines.push(...group('findings', failing, report.seed));
  if (warnings.length > 0) lines.push('', ...group('warnings (reported, not failing)', warnings, report.seed));
  return lines.join('\n');
}

function group(title: string, list: Finding[], seed: number): string[] {
  if (list.length === 0) return [`${title}: none`];
  const lines = [`${title}: ${list.length}`];
  const byKind = new Map<string, Finding[]>();
  for (const f of list) byKind.set(`${f.kind} (${f.target})`, [...(byKind.get(`${f.kind} (${f.target})`) ?? []), f]);
  for (const [kind, findings] of byKind) {
    lines.push(`  ${kind}: ${findings.length}`);
    for (const f of findings.slice(0, 3)) {
      lines.push(`    ${f.detail.split('\n')[0]!.slice(0, 300)}`);
      if (f.caseDescription !== undefined) lines.push(`      case: ${f.caseDescription.slice(0, 300)}`);
      lines.push(`      reproduce: ${reproduceCommand(seed, f)}`);
    }
  }
  return lines;
}
