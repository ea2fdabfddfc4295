import { describe, expect, it } from 'vitest';
import { createCircuitBreaker } from '../../bridge/circuit-breaker.js';

function clocked() {
  const clock = { ms: 10_000 };
  return { clock, breaker: createCircuitBreaker({ now: () => clock.ms }, { probeIntervalMs: 500 }) };
}

describe('createCircuitBreaker', () => {
  it('lets everything through while closed', () => {
    const { breaker } = clocked();
    expect([breaker.refusal(), breaker.begin(), breaker.state()]).toEqual([undefined, undefined, 'closed']);
  });

  it('after a failure refuses sends with the time until the probe, then lets exactly one batch probe', () => {
    const { clock, breaker } = clocked();
    expect(breaker.failed()).toBe(500);
    expect(breaker.refusal()).toBe(500);
    clock.ms += 120;
    expect([breaker.refusal(), breaker.begin()]).toEqual([380, 380]);
    clock.ms += 380;
    expect(breaker.refusal()).toBeUndefined(); // a send may queue: it can be the probe
    expect(breaker.begin()).toBeUndefined();
    expect(breaker.state()).toBe('probing');
    expect([breaker.refusal(), breaker.begin()]).toEqual([500, 500]); // one probe at a time
  });

  it('closes when the probe succeeds and opens for another interval when it fails', () => {
    const { clock, breaker } = clocked();
    breaker.failed();
    clock.ms += 500;
    breaker.begin();
    expect(breaker.failed()).toBe(500);
    expect(breaker.refusal()).toBe(500);
    clock.ms += 500;
    breaker.begin();
    breaker.succeeded();
    expect([breaker.state(), breaker.refusal(), breaker.begin()]).toEqual(['closed', undefined, undefined]);
  });
});
