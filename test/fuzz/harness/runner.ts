/**
 * The fuzz loop: batches of each target in turn on one platform, the session's checks after
 * each batch, findings recorded with the seed and cases that reproduce them. A crash or a dead
 * canary replaces the platform (the run goes on); with `minimize`, a batch-level finding is
 * replayed case by case on a fresh platform to name the one case that causes it.
 */
import type { KnownDefect } from '../generators/world.js';
import { WARNING_KINDS, type FindingKind } from './case-result.js';
import { runBatch, type BatchResult } from './batch.js';
import { openSession, type Session, type Verdict } from './session.js';
import { prepareCase, TARGETS, type TargetName } from './targets.js';

export interface FuzzOptions {
  seed: number;
  cases: Partial<Record<TargetName, number>>;
  /** Replay exactly these case indices of one target, one at a time, checking after each. */
  only?: { target: TargetName; indices: readonly number[] } | undefined;
  batchSize: number;
  lanes: number;
  knownDefects: ReadonlySet<KnownDefect>;
  /** Bound of each wait inside a case (a CONNACK, an answer, the server's close). */
  waitMs: number;
  /** How long the fd counts may take to come back after a batch. */
  settleMs: number;
  minimize: boolean;
  /** Logs every case's outcome and description (for reading what a target does). */
  trace?: boolean;
  log(line: string): void;
}

export interface Finding {
  kind: FindingKind;
  /** 'platform' for what is found outside any batch (a hung shutdown). */
  target: TargetName | 'platform';
  /** The one case that reproduces it, when known. */
  caseIndex?: number;
  /** The batch it showed up in. */
  batch: readonly [number, number];
  detail: string;
  caseDescription?: string;
}

export interface TargetStats {
  cases: number;
  skippedKnownDefects: number;
  batches: number;
  outcomes: Record<string, number>;
}

export interface FuzzReport {
  seed: number;
  durationMs: number;
  targets: Record<TargetName, TargetStats>;
  findings: Finding[];
  platformsStarted: number;
  canaryChecks: number;
  /** The platform's fd counts at the last check. */
  fds: { total: number; byPort: Record<string, number> } | undefined;
}

/** The findings that fail a run (warnings excluded). */
export const failures = (report: FuzzReport): Finding[] => report.findings.filter((f) => !WARNING_KINDS.has(f.kind));

export interface FuzzRun {
  /** Live counters for a progress line. */
  report(): FuzzReport;
  run(): Promise<FuzzReport>;
}

const LOGGED_PER_KIND = 5;
const MINIMIZED_PER_KIND = 2;

/** Findings that concern the whole platform after a batch, not one case's answer. */
const BATCH_LEVEL = new Set<FindingKind>(['crash', 'fd-leak', 'canary', 'canary-dropped']);
/** After these the platform is replaced, so later batches are judged on a healthy one. */
const REPLACES_PLATFORM = new Set<FindingKind>(['crash', 'canary']);

export function createFuzzRun(options: FuzzOptions): FuzzRun {
  const startedAt = Date.now();
  const report: FuzzReport = {
    seed: options.seed,
    durationMs: 0,
    targets: Object.fromEntries(TARGETS.map((t) => [t, { cases: 0, skippedKnownDefects: 0, batches: 0, outcomes: {} }])) as Record<
      TargetName,
      TargetStats
    >,
    findings: [],
    platformsStarted: 0,
    canaryChecks: 0,
    fds: undefined,
  };
  const batchSpec = (target: TargetName, indices: readonly number[]) => ({
    target,
    seed: options.seed,
    indices,
    lanes: options.lanes,
    knownDefects: options.knownDefects,
    waitMs: options.waitMs,
  });

  async function newSession(): Promise<Session> {
    report.platformsStarted += 1;
    return openSession(options.lanes);
  }

  /** Replays `indices` one at a time on a fresh platform; the first after which `kind` shows again. */
  async function isolate(target: TargetName, indices: readonly number[], kind: FindingKind): Promise<number | undefined> {
    options.log(`minimizing a ${kind} finding of ${target}: replaying ${indices.length} cases one by one`);
    const session = await newSession();
    try {
      for (const index of indices) {
        await runBatch(session, batchSpec(target, [index])).catch(() => undefined);
        const verdicts = await session.check(options.settleMs, kind === 'canary' || kind === 'canary-dropped');
        if (verdicts.some((v) => v.kind === kind)) return index;
        if (verdicts.some((v) => REPLACES_PLATFORM.has(v.kind))) return undefined;
      }
      return undefined;
    } finally {
      await session.close();
    }
  }

  const logged = new Map<string, number>();
  function record(finding: Finding): void {
    report.findings.push(finding);
    // The first few of each kind and target in the live log; the summary counts them all.
    const key = `${finding.kind} ${finding.target}`;
    logged.set(key, (logged.get(key) ?? 0) + 1);
    if (logged.get(key)! > LOGGED_PER_KIND) return;
    const where = finding.caseIndex === undefined ? `batch ${finding.batch[0]}-${finding.batch[1]}` : `case ${finding.caseIndex}`;
    options.log(
      `${WARNING_KINDS.has(finding.kind) ? 'WARNING' : 'FINDING'} ${finding.kind} in ${finding.target} ${where}: ${finding.detail.split('\n')[0]}`,
    );
  }

  const minimized = new Map<string, number>();
  /** Minimizing costs a platform start and a replay: a finding that keeps coming back is named twice, then reported by batch. */
  function shouldMinimize(kind: FindingKind, target: TargetName, batchLength: number): boolean {
    const key = `${kind} ${target}`;
    if (!options.minimize || batchLength < 2 || (minimized.get(key) ?? 0) >= MINIMIZED_PER_KIND) return false;
    minimized.set(key, (minimized.get(key) ?? 0) + 1);
    return true;
  }

  async function afterBatch(session: Session, target: TargetName, indices: readonly number[], verdicts: Verdict[]): Promise<void> {
    const batch = [indices[0]!, indices[indices.length - 1]!] as const;
    for (const verdict of verdicts) {
      const caseIndex = shouldMinimize(verdict.kind, target, indices.length)
        ? await isolate(target, indices, verdict.kind)
        : indices.length === 1
          ? indices[0]
          : undefined;
      record({
        kind: verdict.kind,
        target,
        batch,
        detail: verdict.detail,
        ...(caseIndex === undefined ? {} : { caseIndex, caseDescription: describeCase(session, target, caseIndex) }),
      });
    }
  }

  /** The same seed makes the same case: regenerated here to describe it in the report. */
  function describeCase(session: Session, target: TargetName, index: number): string {
    const context = { world: session.platform.world, knownDefects: options.knownDefects };
    return prepareCase(target, options.seed, index, context, session.operations).describe();
  }

  function schedule(): { target: TargetName; indices: number[] }[] {
    if (options.only !== undefined) return options.only.indices.map((index) => ({ target: options.only!.target, indices: [index] }));
    const next = Object.fromEntries(TARGETS.map((t) => [t, 0])) as Record<TargetName, number>;
    const batches: { target: TargetName; indices: number[] }[] = [];
    for (let added = true; added;) {
      added = false;
      for (const target of TARGETS) {
        const total = options.cases[target] ?? 0;
        const count = Math.min(options.batchSize, total - next[target]);
        if (count <= 0) continue;
        batches.push({ target, indices: Array.from({ length: count }, (_, i) => next[target] + i) });
        next[target] += count;
        added = true;
      }
    }
    return batches;
  }

  /** Counts a batch's outcomes and records what its cases found on the spot (5xx, refused honest sends…). */
  function tally(session: Session, target: TargetName, batch: readonly [number, number], outcome: BatchResult): void {
    const stats = report.targets[target];
    stats.skippedKnownDefects += outcome.skipped;
    for (const [index, result] of outcome.results) {
      stats.cases += 1;
      stats.outcomes[result.outcome] = (stats.outcomes[result.outcome] ?? 0) + 1;
      if (options.trace === true) options.log(`${target}#${index} ${result.outcome}: ${describeCase(session, target, index)}`);
      if (result.problem === undefined) continue;
      const { kind, detail } = result.problem;
      record({ kind, target, caseIndex: index, batch: [index, index], detail, caseDescription: describeCase(session, target, index) });
    }
    for (const detail of outcome.honestProblems) record({ kind: 'honest-send-refused', target, batch, detail });
  }

  /** Records the checks' verdicts; answers the session to go on with (a new one after a crash or a dead canary). */
  async function judge(session: Session, target: TargetName, indices: readonly number[], verdicts: Verdict[]): Promise<Session> {
    const census = session.lastCensus();
    report.canaryChecks += 1;
    report.fds = { total: census.total, byPort: census.byPort };
    const batchLevel = verdicts.filter((v) => BATCH_LEVEL.has(v.kind));
    if (batchLevel.length > 0) await afterBatch(session, target, indices, batchLevel);
    if (verdicts.some((v) => REPLACES_PLATFORM.has(v.kind))) {
      for (const v of await session.close()) record({ kind: v.kind, target: 'platform', batch: [0, 0], detail: v.detail });
      return newSession();
    }
    // A leak is reported once; the next batches are judged against what is open now.
    if (verdicts.some((v) => v.kind === 'fd-leak')) await session.rebase();
    return session;
  }

  async function run(): Promise<FuzzReport> {
    let session = await newSession();
    try {
      for (const { target, indices } of schedule()) {
        const batch = [indices[0]!, indices[indices.length - 1]!] as const;
        const batchStartedAt = Date.now();
        const outcome = await runBatch(session, batchSpec(target, indices)).catch((error: unknown) => error as Error);
        report.targets[target].batches += 1;
        if (!(outcome instanceof Error)) tally(session, target, batch, outcome);
        const checkStartedAt = Date.now();
        const verdicts = await session.check(options.settleMs);
        if (options.trace === true)
          options.log(
            `batch ${target} ${batch[0]}-${batch[1]}: cases ${checkStartedAt - batchStartedAt} ms, checks ${Date.now() - checkStartedAt} ms`,
          );
        // A batch that failed on a healthy platform is the fuzzer's own failure: its cases did not run.
        if (outcome instanceof Error && verdicts.length === 0)
          record({ kind: 'harness-error', target, batch, detail: outcome.stack ?? outcome.message });
        session = await judge(session, target, indices, verdicts);
        report.durationMs = Date.now() - startedAt;
      }
    } finally {
      for (const v of await session.close()) record({ kind: v.kind, target: 'platform', batch: [0, 0], detail: v.detail });
    }
    report.durationMs = Date.now() - startedAt;
    return report;
  }

  return { report: () => ({ ...report, durationMs: Date.now() - startedAt }), run };
}
