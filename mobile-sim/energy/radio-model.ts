/**
 * A cellular radio's RRC state machine, driven by the phone's packets
 * (docs/mobile-realities.md#radio-energy): a packet while idle pays a promotion and wakes the
 * radio; after the last packet the radio stays in high-power tail stages (LTE: ~10 s) before it
 * goes idle again; a packet during the tail restarts it without a new promotion. That is why one
 * isolated keepalive costs ~11.5 J on LTE, and why two packets seconds apart cost little more than
 * one.
 *
 * Event-driven, with no timers: the model keeps the plan of what the radio will do after the
 * last packet (promotion, transfer, tail stages, then idle) and integrates power over time only
 * when a packet changes the plan or a report is asked for. Packets must come in time order.
 */
import { LTE_PROFILE, type RadioProfile } from './radio-profiles.js';

export type PacketDirection = 'up' | 'down';

export interface RadioModelOptions {
  /** Default LTE. */
  profile?: RadioProfile;
  /** Multiplies every power figure (modern modems draw less than the 2011–12 phones measured). Default 1. */
  powerScale?: number;
  /** Time the model starts at, idle. Default 0. */
  startMs?: number;
}

export interface RadioReport {
  /** Since `startMs`. */
  elapsedMs: number;
  energyJ: number;
  /** Idle → connected promotions. */
  wakeups: number;
  /** Time and energy per state name ('idle', 'promotion', 'transfer', and the profile's tail stages). */
  byState: Record<string, { timeMs: number; energyJ: number }>;
}

export interface RadioModel {
  /** A packet of `bytes` sent (`up`) or received (`down`) at `atMs`, not before the previous one. */
  onPacket(atMs: number, bytes: number, direction?: PacketDirection): void;
  /** The state the radio is in at `atMs` (not before the last packet). */
  stateAt(atMs: number): string;
  /** Energy and wake-ups from `startMs` to `atMs` (not before the last packet). */
  report(atMs: number): RadioReport;
}

/** One stretch of the plan. `tailIndex` marks tail stages; promotions and transfers have none. */
interface Segment {
  name: string;
  startMs: number;
  endMs: number;
  powerW: number;
  tailIndex?: number;
}

const IDLE = 'idle';

export function createRadioModel(options: RadioModelOptions = {}): RadioModel {
  const profile = options.profile ?? LTE_PROFILE;
  const powerScale = options.powerScale ?? 1;
  if (!(powerScale > 0) || !Number.isFinite(powerScale)) throw new RangeError(`powerScale must be positive, got ${powerScale}`);
  const startMs = options.startMs ?? 0;
  let accountedMs = startMs;
  let wakeups = 0;
  const byState: Record<string, { timeMs: number; energyJ: number }> = {};
  /** What the radio does from `accountedMs` on; idle after the last segment. */
  let plan: Segment[] = [];

  function tailFrom(index: number, fromMs: number): Segment[] {
    const segments: Segment[] = [];
    let atMs = fromMs;
    for (const [tailIndex, stage] of profile.tail.entries()) {
      if (tailIndex < index) continue;
      segments.push({ name: stage.name, startMs: atMs, endMs: atMs + stage.durationMs, powerW: stage.powerW, tailIndex });
      atMs += stage.durationMs;
    }
    return segments;
  }

  function transferFor(bytes: number, direction: PacketDirection): { durationMs: number; powerW: number } | undefined {
    const t = profile.transfer;
    if (t === undefined) return undefined;
    const mbps = direction === 'up' ? t.upMbps : t.downMbps;
    const alpha = direction === 'up' ? t.alphaUpWPerMbps : t.alphaDownWPerMbps;
    return { durationMs: (bytes * 8) / (mbps * 1000), powerW: t.basePowerW + alpha * mbps };
  }

  /** Adds the energy of [fromMs, toMs) under `segments` (idle outside them) to `into`. */
  function integrate(
    segments: readonly Segment[],
    fromMs: number,
    toMs: number,
    into: Record<string, { timeMs: number; energyJ: number }>,
  ): void {
    const add = (name: string, timeMs: number, powerW: number): void => {
      if (timeMs <= 0) return;
      const entry = (into[name] ??= { timeMs: 0, energyJ: 0 });
      entry.timeMs += timeMs;
      entry.energyJ += (powerW * powerScale * timeMs) / 1000;
    };
    let coveredMs = fromMs;
    for (const s of segments) {
      const overlapFrom = Math.max(s.startMs, fromMs);
      const overlapTo = Math.min(s.endMs, toMs);
      if (overlapTo <= overlapFrom) continue;
      add(IDLE, overlapFrom - coveredMs, profile.idlePowerW);
      add(s.name, overlapTo - overlapFrom, s.powerW);
      coveredMs = overlapTo;
    }
    add(IDLE, toMs - coveredMs, profile.idlePowerW);
  }

  function checkTime(atMs: number): void {
    if (!(atMs >= accountedMs)) throw new RangeError(`time ${atMs} is before the last packet at ${accountedMs}`);
  }

  const segmentAt = (atMs: number): Segment | undefined => plan.find((s) => s.startMs <= atMs && atMs < s.endMs);

  /**
   * What the radio does with a packet that finds it in `current` (undefined: idle): promote and
   * then transfer, queue behind a promotion or transfer already under way, or (3G FACH) carry a
   * small packet on the shared channel, which only restarts that stage.
   */
  function busyPartFor(
    current: Segment | undefined,
    atMs: number,
    bytes: number,
    direction: PacketDirection,
  ): Segment[] | { sharedTailIndex: number } {
    if (current === undefined) {
      const p = profile.promotion;
      return [{ name: 'promotion', startMs: atMs, endMs: atMs + p.durationMs, powerW: p.powerW }];
    }
    if (current.tailIndex === undefined) return plan.filter((s) => s.tailIndex === undefined);
    const shared = profile.tail[current.tailIndex]?.sharedChannel;
    if (shared === undefined) return [];
    const fitsShared = bytes <= (direction === 'up' ? shared.maxUpBytes : shared.maxDownBytes);
    if (fitsShared) return { sharedTailIndex: current.tailIndex };
    const p = shared.promotion;
    return [{ name: 'promotion', startMs: atMs, endMs: atMs + p.durationMs, powerW: p.powerW }];
  }

  return {
    onPacket(atMs, bytes, direction = 'up') {
      checkTime(atMs);
      if (!(bytes >= 0)) throw new RangeError(`bytes must be ≥ 0, got ${bytes}`);
      integrate(plan, accountedMs, atMs, byState);
      accountedMs = atMs;
      const current = segmentAt(atMs);
      if (current === undefined) wakeups++;
      plan = plan.filter((s) => s.endMs > atMs);
      const busy = busyPartFor(current, atMs, bytes, direction);
      if (!Array.isArray(busy)) {
        plan = tailFrom(busy.sharedTailIndex, atMs);
        return;
      }
      const transfer = transferFor(bytes, direction);
      let busyEndMs = busy.at(-1)?.endMs ?? atMs;
      if (transfer !== undefined) {
        busy.push({ name: 'transfer', startMs: busyEndMs, endMs: busyEndMs + transfer.durationMs, powerW: transfer.powerW });
        busyEndMs += transfer.durationMs;
      }
      plan = [...busy, ...tailFrom(0, busyEndMs)].filter((s) => s.endMs > s.startMs);
    },

    stateAt(atMs) {
      checkTime(atMs);
      return segmentAt(atMs)?.name ?? IDLE;
    },

    report(atMs) {
      checkTime(atMs);
      const states = structuredClone(byState);
      integrate(plan, accountedMs, atMs, states);
      const energyJ = Object.values(states).reduce((sum, s) => sum + s.energyJ, 0);
      return { elapsedMs: atMs - startMs, energyJ, wakeups, byState: states };
    },
  };
}
