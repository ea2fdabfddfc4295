/**
 * One NAT mapping's idle timer (docs/mobile-realities.md#nat-idle-timeouts): every packet in either
 * direction refreshes it; once `idleTimeoutMs` pass without one, the mapping is gone for good and
 * the NAT discards what still comes, silently. The TCP proxy and the heartbeat simulation both use
 * it, so a real socket and a simulated phone lose their mapping under the same rule: a packet that
 * arrives `idleTimeoutMs` or more after the previous one finds the mapping gone.
 */
import type { Clock, TimerHandle } from '@mqtt-chat/sdk';

export interface NatMappingDeps {
  clock: Clock;
  /** Called once, when the mapping goes: at the idle deadline, or at once on `drop()`. */
  onDrop?: (droppedAtMs: number) => void;
}

export interface NatMappingOptions {
  idleTimeoutMs: number;
}

export interface NatMapping {
  /** A packet crosses the NAT now. True: forward it (the idle timer restarts). False: the mapping is gone, discard it. */
  pass(): boolean;
  isOpen(): boolean;
  /** When the mapping went; undefined while it is open. */
  droppedAtMs(): number | undefined;
  /** Drops it now, as a network change or a NAT reboot does. */
  drop(): void;
  /** The connection ended normally: stop the timer without calling it a drop. */
  close(): void;
}

export function createNatMapping(deps: NatMappingDeps, options: NatMappingOptions): NatMapping {
  const { clock } = deps;
  const { idleTimeoutMs } = options;
  if (!Number.isFinite(idleTimeoutMs) || idleTimeoutMs <= 0) {
    throw new RangeError(`idleTimeoutMs must be a positive number of milliseconds, got ${idleTimeoutMs}`);
  }
  let lastPacketMs = clock.now();
  let droppedAtMs: number | undefined;
  let closed = false;
  let timer: TimerHandle | undefined;

  function goneAt(atMs: number): void {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
    droppedAtMs = atMs;
    deps.onDrop?.(atMs);
  }

  const deadlineMs = (): number => lastPacketMs + idleTimeoutMs;

  // One timer per idle period rather than one per packet: when it fires early (packets came
  // meanwhile) it is re-armed for the new deadline, so busy mappings cost no timer churn.
  function arm(): void {
    timer = clock.setTimeout(() => {
      timer = undefined;
      if (clock.now() >= deadlineMs()) goneAt(deadlineMs());
      else arm();
    }, deadlineMs() - clock.now());
  }
  arm();

  const isOpen = (): boolean => droppedAtMs === undefined && !closed;

  return {
    pass() {
      if (!isOpen()) return false;
      const nowMs = clock.now();
      // The timer may not have run yet at the exact deadline: the rule, not timer order, decides.
      if (nowMs >= deadlineMs()) {
        goneAt(deadlineMs());
        return false;
      }
      lastPacketMs = nowMs;
      return true;
    },
    isOpen,
    droppedAtMs: () => droppedAtMs,
    drop() {
      if (isOpen()) goneAt(Math.min(clock.now(), deadlineMs()));
    },
    close() {
      closed = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
    },
  };
}
