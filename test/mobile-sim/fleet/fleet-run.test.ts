/**
 * The fleet runner end to end, small enough for CI: phones behind a carrier NAT chatting while
 * the platform is killed with SIGKILL and restarted and the NAT drops every mapping, a quarter of
 * them behind a proxy that refuses WebSockets (on the SSE fallback), then the checker over
 * everything the apps were shown. `npm run sim` is this with bigger numbers.
 */
import { describe, expect, it } from 'vitest';
import { parseFleetArgs } from '../../../mobile-sim/fleet/fleet-args.js';
import { checkIsClean } from '../../../mobile-sim/fleet/fleet-report.js';
import { runFleet } from '../../../mobile-sim/fleet/fleet-run.js';

describe('npm run sim --chaos --sse-share', () => {
  it('loses, duplicates and reorders nothing while the platform is killed and the NAT drops mappings', { timeout: 300_000 }, async () => {
    const options = parseFleetArgs([
      '--clients',
      '24',
      '--rooms',
      '6',
      '--minutes',
      '0.6',
      '--nat',
      '6s',
      '--chaos',
      '--chaos-every',
      '10s',
      '--burst-every',
      '3s',
      '--sse-share',
      '0.25',
      '--seed',
      '11',
    ]);
    const lines: string[] = [];
    const report = await runFleet(options, (line) => lines.push(line));

    expect(report.platformRestarts, lines.join('\n')).toBeGreaterThanOrEqual(1);
    expect(report.natDropsByChaos).toBeGreaterThanOrEqual(1);
    expect(report.ssePhones).toBe(6);
    expect(report.ssePhonesOnFallback, lines.join('\n')).toBe(6);
    expect(report.acked).toBeGreaterThan(0);
    expect(report.delivered).toBeGreaterThan(report.acked);
    expect(report.check).toEqual({ lost: 0, duplicates: 0, orderViolations: 0, disagreements: 0, examples: [] });
    expect(report.unsettled).toEqual([]);
    expect(checkIsClean(report)).toBe(true);
  });
});
