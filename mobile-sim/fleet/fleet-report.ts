/** The end-of-run report of `npm run sim`, as a person reads it. */
import { isClean } from './checker.js';
import type { FleetReport } from './fleet-run.js';

export const checkIsClean = (report: FleetReport): boolean => isClean(report.check) && report.unsettled.length === 0;

export function formatFleetReport(report: FleetReport): string {
  const online = summarize(report.onlineLatenciesMs);
  const catchUp = summarize(report.catchUpLatenciesMs);
  const verdict = checkIsClean(report) ? 'PASS: nothing lost, duplicated, reordered or disputed' : 'FAIL';
  const rows: [string, string][] = [
    ['phones / rooms', `${report.phones} / ${report.rooms}`],
    ['chat time / settle time', `${(report.chatMs / 1000).toFixed(1)} s / ${(report.settleMs / 1000).toFixed(1)} s`],
    ['messages sent', String(report.sent)],
    ['acked', String(report.acked)],
    ['send failures (closed before Ack)', String(report.sendFailures)],
    ['delivered to apps', String(report.delivered)],
    [
      'send→delivery, online p50/p99/max',
      `${online.p50} / ${online.p99} / ${online.max} ms  (${report.onlineLatenciesMs.length} deliveries)`,
    ],
    [
      'send→delivery, catch-up p50/p99/max',
      `${catchUp.p50} / ${catchUp.p99} / ${catchUp.max} ms  (${report.catchUpLatenciesMs.length} deliveries)`,
    ],
    ['platform kill -9 + restarts', String(report.platformRestarts)],
    ['NAT: chaos drops / mappings dropped', `${report.natDropsByChaos} / ${report.natMappingsDropped}`],
    [
      'phones behind a proxy refusing WebSockets',
      `${report.ssePhones} (${report.ssePhonesOnFallback} on the SSE fallback at the end; ${report.upgradesRefused} upgrades refused)`,
    ],
    ['lost acknowledged messages', String(report.check.lost)],
    ['duplicates delivered to apps', String(report.check.duplicates)],
    ['order violations', String(report.check.orderViolations)],
    ['members disagreeing with the history', String(report.check.disagreements)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    ...report.unsettled.map((what) => `  gave up: ${what}`),
    ...report.check.examples.map((example) => `  e.g. ${example}`),
    `  seed ${report.seed}`,
    '',
    verdict,
  ].join('\n');
}

function summarize(samplesMs: readonly number[]): { p50: string; p99: string; max: string } {
  if (samplesMs.length === 0) return { p50: '-', p99: '-', max: '-' };
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!.toFixed(0);
  return { p50: at(50), p99: at(99), max: sorted.at(-1)!.toFixed(0) };
}
