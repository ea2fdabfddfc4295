/**
 * The heartbeat driver (docs/mobile-realities.md#the-adaptive-heartbeat): sends a PINGREQ once
 * either direction has been quiet for `policy.intervalMs()`, and expects the PINGRESP within
 * `pingTimeoutMs`; a missing one means the mapping is gone, and the connection is dropped, since
 * nothing sent on it would arrive.
 *
 * Inbound quiet counts, not only outbound: a packet sent proves nothing (into a dropped NAT
 * mapping it just vanishes), so a client that keeps resending an unacknowledged send would
 * otherwise never ping and never notice. On a live connection every send is answered (PUBACK,
 * Ack), so a busy one still never pings. Only a ping after a truly idle interval (both ways)
 * tells the policy something about the NAT's idle timeout; others just check liveness.
 *
 * Like nats.js's heartbeats it depends on a narrow interface (three callbacks and a clock) and
 * keeps no socket of its own. One timer at a time: outbound packets only move a timestamp, and
 * the timer, when it fires early, re-arms for the remaining idleness, so a busy connection costs
 * no timer churn per packet.
 */
import type { Clock, TimerHandle } from './clock.js';
import type { HeartbeatPolicy } from './heartbeat/heartbeat-policy.js';

/** How long a PINGRESP may take; Mars waits about 8 s for its heartbeat's answer (docs/mobile-realities.md#the-adaptive-heartbeat). */
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
  /** A packet went out. */
  packetSent(): void;
  /** A packet came in: the path works, and inbound quiet starts again from now. */
  packetReceived(): void;
  pingResponse(): void;
  stop(): void;
}

export function startPingDriver(deps: PingDriverDeps, options: PingDriverOptions): PingDriver {
  const { clock, policy } = deps;
  let lastSentMs = clock.now();
  let lastReceivedMs = clock.now();
  let timer: TimerHandle | undefined;
  let awaitingPong = false;
  /** The ping in flight followed a full interval of silence both ways, so its fate says something about the NAT. */
  let pingTestsIdleness = false;
  let stopped = false;

  const intervalMs = (): number => Math.min(policy.intervalMs(), options.maxIntervalMs);

  function arm(delayMs: number, callback: () => void): void {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = clock.setTimeout(() => {
      timer = undefined;
      if (!stopped) callback();
    }, delayMs);
  }

  /** Until the quieter direction has been quiet for the interval. */
  const remainingIdleMs = (): number => Math.min(lastSentMs, lastReceivedMs) + intervalMs() - clock.now();
  const scheduleIdleCheck = (): void => arm(Math.max(0, remainingIdleMs()), idleCheck);

  function idleCheck(): void {
    if (remainingIdleMs() > 0) return scheduleIdleCheck();
    awaitingPong = true;
    pingTestsIdleness = Math.max(lastSentMs, lastReceivedMs) + intervalMs() <= clock.now();
    deps.sendPing();
    arm(options.pingTimeoutMs, () => {
      awaitingPong = false;
      stopped = true;
      if (pingTestsIdleness) policy.pingFailed();
      deps.pingTimedOut();
    });
  }

  scheduleIdleCheck();

  return {
    packetSent() {
      lastSentMs = clock.now();
    },
    packetReceived() {
      lastReceivedMs = clock.now();
    },
    pingResponse() {
      // MQTT.js's own keepalive may ping too; only an answer to ours says something about our interval.
      if (!awaitingPong || stopped) return;
      awaitingPong = false;
      // The round trip proves the path both ways as of now. Timing the next ping from the pong,
      // not from our PINGREQ, keeps an idle connection's next ping a full interval of quiet, so
      // it tests the NAT timeout again instead of falling short by one round trip.
      lastSentMs = lastReceivedMs = clock.now();
      if (pingTestsIdleness) policy.pingSucceeded();
      scheduleIdleCheck();
    },
    stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
    },
  };
}
