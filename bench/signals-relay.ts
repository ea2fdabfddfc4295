/**
 * Part 3 of bench:signals: the broker's CPU per relayed typing event. One typist publishes
 * typing events (QoS 0) to a room's typing topic at a fixed pace while every member's device
 * counts what it receives; the broker process's user+system CPU time over the window, less what
 * it burns idle with the same connections open, is divided by the events and by the deliveries.
 */
import type { MqttClient } from 'mqtt';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BrokerProcess, CpuTimes } from './signals-broker-process.js';
import { busiestLoopUtilization, type Fleet, type FleetCount } from './signals-fleet.js';

/** Publishing is topped up on this tick to the count due by now (open loop: a late tick catches up). */
const PACE_TICK_MS = 5;
const POLL_MS = 50;
/** Deliveries that stopped arriving for this long are not coming (QoS 0 has no retry). */
const STALL_MS = 3_000;
/** Unmeasured publishing before each window: JIT, caches and socket buffers settle. */
const WARMUP_MS = 1_000;

export interface RelayPhaseSpec {
  label: string;
  topic: string;
  /** Devices subscribed to `topic`: the deliveries each event should make. */
  members: number;
  eventsPerSecond: number;
  /** Payloads published in turn (START, RENEW, STOP). */
  payloads: readonly Uint8Array[];
}

export interface RelayPhaseResult {
  label: string;
  members: number;
  eventsPerSecond: number;
  events: number;
  deliveries: number;
  expectedDeliveries: number;
  windowMs: number;
  /** The broker's CPU time over the window, and its user+system total less the idle rate. */
  cpu: CpuTimes;
  netCpuMicros: number;
  /** How busy the busiest of the receiving devices' threads was: near 1, the devices may have set the pace. */
  fleetLoopUtilization: number;
}

export interface IdleBaseline {
  windowMs: number;
  /** User + system. */
  cpuMicros: number;
  /** Deliveries during the idle window: anything but 0 means something else was publishing. */
  deliveries: number;
}

export interface RelayContext {
  broker: BrokerProcess;
  fleet: Fleet;
  typist: MqttClient;
  onProgress: (line: string) => void;
}

/** The broker's CPU with every device connected and nobody typing, over `windowMs`. */
export async function measureIdle(ctx: RelayContext, windowMs: number): Promise<IdleBaseline> {
  const before = await sample(ctx);
  await sleep(windowMs);
  const after = await sample(ctx);
  return {
    windowMs: after.atMs - before.atMs,
    cpuMicros: totalMicros(after.cpu) - totalMicros(before.cpu),
    deliveries: after.count.deliveries - before.count.deliveries,
  };
}

export async function measureRelayPhase(
  ctx: RelayContext,
  spec: RelayPhaseSpec,
  windowMs: number,
  idle: IdleBaseline,
): Promise<RelayPhaseResult> {
  const warmupEvents = Math.max(1, Math.round((spec.eventsPerSecond * WARMUP_MS) / 1000));
  const events = Math.max(1, Math.round((spec.eventsPerSecond * windowMs) / 1000));
  ctx.onProgress(`${spec.label}: warm-up, ${warmupEvents} events`);
  const beforeWarmup = await ctx.fleet.count();
  await publishPaced(ctx.typist, spec, warmupEvents);
  await awaitDeliveries(ctx.fleet, beforeWarmup.deliveries + warmupEvents * spec.members);
  ctx.onProgress(`${spec.label}: measuring ${events.toLocaleString('en-US')} events at ${spec.eventsPerSecond}/s`);
  const before = await sample(ctx);
  const expectedDeliveries = events * spec.members;
  await publishPaced(ctx.typist, spec, events);
  await awaitDeliveries(ctx.fleet, before.count.deliveries + expectedDeliveries);
  const after = await sample(ctx);
  const windowMsMeasured = after.atMs - before.atMs;
  const cpu = { userMicros: after.cpu.userMicros - before.cpu.userMicros, systemMicros: after.cpu.systemMicros - before.cpu.systemMicros };
  return {
    label: spec.label,
    members: spec.members,
    eventsPerSecond: spec.eventsPerSecond,
    events,
    deliveries: after.count.deliveries - before.count.deliveries,
    expectedDeliveries,
    windowMs: windowMsMeasured,
    cpu,
    netCpuMicros: totalMicros(cpu) - (idle.cpuMicros / idle.windowMs) * windowMsMeasured,
    fleetLoopUtilization: busiestLoopUtilization(before.count, after.count),
  };
}

const totalMicros = (cpu: CpuTimes) => cpu.userMicros + cpu.systemMicros;

async function sample(ctx: RelayContext): Promise<{ atMs: number; cpu: CpuTimes; count: FleetCount }> {
  const [cpu, count] = await Promise.all([ctx.broker.cpu(), ctx.fleet.count()]);
  return { atMs: performance.now(), cpu, count };
}

/** Publishes `events` events at `spec.eventsPerSecond`; rejects on the first publish that fails locally. */
function publishPaced(client: MqttClient, spec: RelayPhaseSpec, events: number): Promise<void> {
  const startMs = performance.now();
  let sent = 0;
  return new Promise((resolve, reject) => {
    const onPublished = (error?: Error) => {
      if (error === undefined) return;
      clearInterval(timer);
      reject(error);
    };
    const topUp = () => {
      const dueCount = Math.min(events, Math.floor(((performance.now() - startMs) * spec.eventsPerSecond) / 1000) + 1);
      for (; sent < dueCount; sent++)
        client.publish(spec.topic, Buffer.from(spec.payloads[sent % spec.payloads.length]!), { qos: 0 }, onPublished);
      if (sent < events) return;
      clearInterval(timer);
      resolve();
    };
    const timer = setInterval(topUp, PACE_TICK_MS);
    topUp();
  });
}

/** Waits until the fleet has `target` deliveries in all, or they stop coming. */
async function awaitDeliveries(fleet: Fleet, target: number): Promise<void> {
  let last = await fleet.count();
  let lastChangeMs = performance.now();
  while (last.deliveries < target && performance.now() - lastChangeMs < STALL_MS) {
    await sleep(POLL_MS);
    const count = await fleet.count();
    if (count.deliveries !== last.deliveries) lastChangeMs = performance.now();
    last = count;
  }
}
