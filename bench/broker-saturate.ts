/**
 * The saturated relay of bench:broker: several typists publish typing events to one room as
 * fast as the broker and the receiving devices take them, closed loop: events are topped up so
 * that at most `inFlightDeliveries` are published but not yet received. Open-loop pacing above
 * capacity would only fill socket buffers; this keeps the broker busy and nothing queued.
 * CPU per delivery is computed like signals-relay.ts: the broker's CPU over the window less its
 * idle rate, divided by what the devices received.
 */
import type { MqttClient } from 'mqtt';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BrokerProcess, CpuTimes } from './signals-broker-process.js';
import { busiestLoopUtilization, type Fleet, type FleetCount } from './signals-fleet.js';
import type { IdleBaseline, RelayPhaseResult } from './signals-relay.js';

/** Between two top-ups: the fleet is asked for its count each time. */
const TOP_UP_MS = 2;
const WARMUP_MS = 1_000;
/** Deliveries that stopped arriving for this long are not coming (QoS 0 has no retry). */
const STALL_MS = 3_000;

export interface SaturatedPhaseSpec {
  label: string;
  topic: string;
  members: number;
  payloads: readonly Uint8Array[];
  inFlightDeliveries: number;
}

export interface SaturatedContext {
  broker: BrokerProcess;
  fleet: Fleet;
  /** Published to in turn, so no one connection's rate limit caps the broker. */
  typists: readonly MqttClient[];
  onProgress: (line: string) => void;
}

const totalMicros = (cpu: CpuTimes) => cpu.userMicros + cpu.systemMicros;

export async function measureSaturatedPhase(
  ctx: SaturatedContext,
  spec: SaturatedPhaseSpec,
  windowMs: number,
  idle: IdleBaseline,
): Promise<RelayPhaseResult> {
  ctx.onProgress(`${spec.label}: warm-up ${WARMUP_MS / 1000} s, saturated by ${ctx.typists.length} typists`);
  await drive(ctx, spec, WARMUP_MS);
  ctx.onProgress(`${spec.label}: measuring ${windowMs / 1000} s`);
  const [cpuBefore, countBefore] = await Promise.all([ctx.broker.cpu(), ctx.fleet.count()]);
  const startMs = performance.now();
  const events = await drive(ctx, spec, windowMs, (delivered, elapsedMs) =>
    ctx.onProgress(`${spec.label}: ${Math.round((delivered * 1000) / elapsedMs).toLocaleString('en-US')} deliveries/s`),
  );
  const [cpuAfter, countAfter] = await Promise.all([ctx.broker.cpu(), ctx.fleet.count()]);
  const measuredMs = performance.now() - startMs;
  const cpu = { userMicros: cpuAfter.userMicros - cpuBefore.userMicros, systemMicros: cpuAfter.systemMicros - cpuBefore.systemMicros };
  return {
    label: spec.label,
    members: spec.members,
    eventsPerSecond: (events * 1000) / measuredMs,
    events,
    deliveries: countAfter.deliveries - countBefore.deliveries,
    expectedDeliveries: events * spec.members,
    windowMs: measuredMs,
    cpu,
    netCpuMicros: totalMicros(cpu) - (idle.cpuMicros / idle.windowMs) * measuredMs,
    fleetLoopUtilization: busiestLoopUtilization(countBefore, countAfter),
  };
}

/**
 * Publishes for `durationMs`, then waits for what is in flight to arrive. Resolves with the
 * events published; every second `onSecond` gets the deliveries so far.
 */
async function drive(
  ctx: SaturatedContext,
  spec: SaturatedPhaseSpec,
  durationMs: number,
  onSecond?: (delivered: number, elapsedMs: number) => void,
): Promise<number> {
  const base: FleetCount = await ctx.fleet.count();
  const startMs = performance.now();
  let published = 0;
  let nextReportMs = startMs + 1000;
  let failure: Error | undefined;
  const onPublished = (error?: Error) => {
    if (error !== undefined) failure ??= error;
  };
  for (;;) {
    if (failure !== undefined) throw failure;
    const delivered = (await ctx.fleet.count()).deliveries - base.deliveries;
    const nowMs = performance.now();
    if (nowMs - startMs >= durationMs) break;
    if (onSecond !== undefined && nowMs >= nextReportMs) {
      onSecond(delivered, nowMs - startMs);
      nextReportMs += 1000;
    }
    const room = Math.floor((spec.inFlightDeliveries - (published * spec.members - delivered)) / spec.members);
    for (let i = 0; i < room; i++, published++) {
      const typist = ctx.typists[published % ctx.typists.length]!;
      typist.publish(spec.topic, Buffer.from(spec.payloads[published % spec.payloads.length]!), { qos: 0 }, onPublished);
    }
    await sleep(TOP_UP_MS);
  }
  await awaitDeliveries(ctx.fleet, base.deliveries + published * spec.members);
  return published;
}

async function awaitDeliveries(fleet: Fleet, target: number): Promise<void> {
  let last = await fleet.count();
  let lastChangeMs = performance.now();
  while (last.deliveries < target && performance.now() - lastChangeMs < STALL_MS) {
    await sleep(20);
    const count = await fleet.count();
    if (count.deliveries !== last.deliveries) lastChangeMs = performance.now();
    last = count;
  }
}
