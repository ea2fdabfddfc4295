import { describe, expect, it } from 'vitest';
import type { HeartbeatPolicy } from '../../sdk/src/heartbeat/heartbeat-policy.js';
import { startPingDriver } from '../../sdk/src/ping-driver.js';
import { createVirtualClock } from '../../devtools/index.js';

/** A policy that records what the driver tells it, and whose interval the test sets. */
function recordingPolicy(intervalMs: number) {
  const calls: string[] = [];
  const policy: HeartbeatPolicy & { intervalMsNow: number } = {
    intervalMsNow: intervalMs,
    intervalMs: () => policy.intervalMsNow,
    pingSucceeded: () => void calls.push('succeeded'),
    pingFailed: () => void calls.push('failed'),
    networkChanged: () => void calls.push('networkChanged'),
  };
  return { policy, calls };
}

function setup(intervalMs = 1000, options = { pingTimeoutMs: 200, maxIntervalMs: 60_000 }) {
  const clock = createVirtualClock();
  const { policy, calls } = recordingPolicy(intervalMs);
  const pingsAtMs: number[] = [];
  let timedOut = 0;
  const driver = startPingDriver(
    {
      clock,
      policy,
      sendPing: () => {
        pingsAtMs.push(clock.now());
        driver.packetSent(); // a PINGREQ is outbound traffic too, as MQTT.js's 'packetsend' reports it
      },
      pingTimedOut: () => void (timedOut += 1),
    },
    options,
  );
  return { clock, policy, calls, pingsAtMs, driver, timedOut: () => timedOut };
}

describe('ping driver', () => {
  it('pings after intervalMs of silence, times the next from the PINGRESP, and reports every PINGRESP as a success', () => {
    const { clock, calls, pingsAtMs, driver } = setup();
    const pong = () => {
      driver.packetReceived(); // MQTT.js reports the PINGRESP as a received packet first
      driver.pingResponse();
    };
    clock.advance(1000);
    expect(pingsAtMs).toEqual([1000]);
    clock.advance(50);
    pong();
    clock.advance(999);
    expect(pingsAtMs).toEqual([1000]);
    clock.advance(1); // a full interval of quiet since the PINGRESP: the NAT timer was tested again
    expect(pingsAtMs).toEqual([1000, 2050]);
    clock.advance(50);
    pong();
    expect(calls).toEqual(['succeeded', 'succeeded']);
  });

  it('does not ping while packets go out and answers come back', () => {
    const { clock, pingsAtMs, driver } = setup();
    for (let t = 0; t < 5000; t += 600) {
      clock.advanceTo(t);
      driver.packetSent();
      driver.packetReceived();
    }
    expect(pingsAtMs).toEqual([]);
    clock.advanceTo(4800 + 1000);
    expect(pingsAtMs).toEqual([5800]);
  });

  it('pings when sends go unanswered (a dead NAT mapping swallows them), without blaming the interval', () => {
    const { clock, calls, pingsAtMs, driver, timedOut } = setup();
    for (let t = 0; t <= 1000; t += 300) {
      clock.advanceTo(t);
      driver.packetSent(); // e.g. a send resent every few seconds, never PUBACKed
    }
    clock.advanceTo(1000);
    expect(pingsAtMs).toEqual([1000]);
    clock.advance(200);
    expect(timedOut()).toBe(1);
    // Outbound traffic kept the mapping busy, so this failure says nothing about the NAT's idle timeout.
    expect(calls).toEqual([]);
  });

  it('reports a missing PINGRESP as a failure after pingTimeoutMs, declares the connection dead, and stops', () => {
    const { clock, calls, pingsAtMs, timedOut } = setup();
    clock.advance(1199);
    expect(timedOut()).toBe(0);
    clock.advance(1);
    expect([calls, timedOut()]).toEqual([['failed'], 1]);
    clock.advance(60_000);
    expect(pingsAtMs).toEqual([1000]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('asks the policy for the interval before every ping, so an adaptive policy takes effect at once', () => {
    const { clock, policy, pingsAtMs, driver } = setup();
    clock.advance(1000);
    policy.intervalMsNow = 3000;
    driver.packetReceived(); // MQTT.js reports the PINGRESP as a received packet first
    driver.pingResponse();
    clock.advance(3000);
    expect(pingsAtMs).toEqual([1000, 4000]);
  });

  it('never waits longer than the MQTT keepalive, whatever the policy says (the broker would drop the client)', () => {
    const { clock, pingsAtMs } = setup(10 * 60_000, { pingTimeoutMs: 200, maxIntervalMs: 30_000 });
    clock.advance(30_000);
    expect(pingsAtMs).toEqual([30_000]);
  });

  it("ignores a PINGRESP it did not ask for (MQTT.js's own keepalive) and everything after stop()", () => {
    const { clock, calls, driver } = setup();
    driver.pingResponse();
    driver.stop();
    clock.advance(10_000);
    expect(calls).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
  });
});
