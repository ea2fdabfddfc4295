/**
 * The heartbeat driver (DESIGN §8): sends a PINGREQ after `policy.intervalMs()` without any
 * outbound packet, and expects the PINGRESP within `pingTimeoutMs`. A PINGRESP in time tells
 * the policy the NAT mapping survived that much idleness; a missing one tells it the mapping is
 * gone, and the connection is dropped, since nothing sent on it would arrive any more.
 *
 * Like nats.js's heartbeats it depends on a narrow interface (three callbacks and a clock) and
 * keeps no socket of its own. One timer at a time: outbound packets only move a timestamp, and
 * the timer, when it fires early, re-arms for the remaining idleness, so a busy connection costs
 * no timer churn per packet.
 */
import type { Clock, TimerHandle } from '../clock.js';
import type { HeartbeatPolicy } from '../heartbeat/heartbeat-policy.js';

/** How long a PINGRESP may take; Mars waits about 8 s for its heartbeat's answer (REFERENCE §2). */
export const DEFAULT_PING_TIMEOUT_MS = 10_000;

export interface PingDriverDeps {
  clock: Clock;
  policy: HeartbeatPolicy;
  sendPing(): void;
  /** No PINGRESP within the timeout: the connection is dead. */
  pingTimedOut(): void;
}

export interface PingDriverOptions {
  pingTimeoutMs: number;
  /** Never wait longer than this (the MQTT keepalive), whatever the policy says, or the broker drops us. */
  maxIntervalMs: number;
}

export interface PingDriver {
  /** A packet went out: idleness starts again from now. */
  packetSent(): void;
  pingResponse(): void;
  stop(): void;
}

export function startPingDriver(deps: PingDriverDeps, options: PingDriverOptions): PingDriver {
  const { clock, policy } = deps;
  let lastSentMs = clock.now();
  let timer: TimerHandle | undefined;
  let awaitingPong = false;
  let stopped = false;

  const intervalMs = (): number => Math.min(policy.intervalMs(), options.maxIntervalMs);

  function arm(delayMs: number, callback: () => void): void {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = clock.setTimeout(() => {
      timer = undefined;
      if (!stopped) callback();
    }, delayMs);
  }

  const remainingIdleMs = (): number => lastSentMs + intervalMs() - clock.now();
  const scheduleIdleCheck = (): void => arm(Math.max(0, remainingIdleMs()), idleCheck);

  function idleCheck(): void {
    if (remainingIdleMs() > 0) return scheduleIdleCheck();
    awaitingPong = true;
    deps.sendPing();
    arm(options.pingTimeoutMs, () => {
      awaitingPong = false;
      stopped = true;
      policy.pingFailed();
      deps.pingTimedOut();
    });
  }

  scheduleIdleCheck();

  return {
    packetSent() {
      lastSentMs = clock.now();
    },
    pingResponse() {
      // MQTT.js's own keepalive may ping too; only an answer to ours says something about our interval.
      if (!awaitingPong || stopped) return;
      awaitingPong = false;
      policy.pingSucceeded();
      scheduleIdleCheck();
    },
    stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
    },
  };
}
