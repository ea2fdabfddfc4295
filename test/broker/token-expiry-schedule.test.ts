/**
 * The schedule behind token expiry (broker/token-expiry.ts): one timer for every watched
 * connection, each closed exactly at its token's expiry unless it left or was watched anew.
 * Checked against a plain model on a virtual clock, over random watches, forgets and time steps.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTokenExpiry } from '../../broker/token-expiry.js';
import { createVirtualClock } from '../../devtools/index.js';

type Step = { kind: 'watch'; connection: number; inMs: number } | { kind: 'forget'; connection: number } | { kind: 'advance'; ms: number };

const CONNECTIONS = 12;
const step: fc.Arbitrary<Step> = fc.oneof(
  // Few distinct expiries (whole seconds, as a JWT's exp): connections share groups.
  fc.record({
    kind: fc.constant('watch' as const),
    connection: fc.nat(CONNECTIONS - 1),
    inMs: fc.integer({ min: 0, max: 8 }).map((s) => s * 1000),
  }),
  fc.record({ kind: fc.constant('forget' as const), connection: fc.nat(CONNECTIONS - 1) }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 3000 }) }),
);

describe('token expiry schedule', () => {
  it('expires each watched connection exactly at its latest expiry, never a forgotten one, with at most one timer', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        const clock = createVirtualClock(1_000_000);
        const expired: { connection: number; atMs: number }[] = [];
        const expiry = createTokenExpiry<number>({ clock, expired: (connection) => expired.push({ connection, atMs: clock.now() }) });
        const model = new Map<number, number>();
        const expected: { connection: number; atMs: number }[] = [];
        const advanceModelTo = (toMs: number) => {
          const due = [...model].filter(([, atMs]) => atMs <= toMs).sort((a, b) => a[1] - b[1]);
          for (const [connection, atMs] of due) {
            model.delete(connection);
            expected.push({ connection, atMs });
          }
        };
        for (const s of [...steps, { kind: 'advance' as const, ms: 10_000 }]) {
          if (s.kind === 'watch') {
            const atMs = Math.ceil(clock.now() / 1000) * 1000 + s.inMs;
            model.set(s.connection, atMs);
            expiry.watch(s.connection, atMs);
          } else if (s.kind === 'forget') {
            model.delete(s.connection);
            expiry.forget(s.connection);
          } else {
            advanceModelTo(clock.now() + s.ms);
            clock.advance(s.ms);
          }
          expect(clock.pendingTimers()).toBeLessThanOrEqual(1);
        }
        // Within one expiry the order is not promised.
        const byTime = (a: { connection: number; atMs: number }, b: { connection: number; atMs: number }) =>
          a.atMs - b.atMs || a.connection - b.connection;
        expect([...expired].sort(byTime)).toEqual([...expected].sort(byTime));
        expect(expired.map((e) => e.atMs)).toEqual(expected.map((e) => e.atMs));
        expect(clock.pendingTimers()).toBe(0);
      }),
    );
  });

  it('expires a connection watched for a time already past at once, and stops every timer on close', () => {
    const clock = createVirtualClock(5_000);
    const expired: string[] = [];
    const expiry = createTokenExpiry<string>({ clock, expired: (c) => expired.push(c) });
    expiry.watch('late', 4_000);
    expiry.watch('later', 9_000);
    clock.advance(0);
    expect(expired).toEqual(['late']);
    expiry.close();
    expect(clock.pendingTimers()).toBe(0);
    clock.advance(10_000);
    expect(expired).toEqual(['late']);
  });
});
