/**
 * The simulation on cases small enough to work out by hand: a 100 ms round trip, so a connect
 * takes 300 ms (three round trips) and a ping is answered 100 ms after it leaves.
 */
import { describe, expect, it } from 'vitest';
import { createRadioModel, type PacketDirection, type RadioModel } from '../../../mobile-sim/energy/radio-model.js';
import { simulateHeartbeat, type HeartbeatSimulationOptions } from '../../../mobile-sim/experiments/heartbeat-simulation.js';
import { createAdaptiveHeartbeat, createFixedHeartbeat } from '@mqtt-chat/sdk';

const MIN = 60_000;

/** The real LTE model, with every packet it is charged for written down. */
function recordingRadio(): RadioModel & { packets: [atMs: number, bytes: number, direction: PacketDirection][] } {
  const radio = createRadioModel();
  const packets: [number, number, PacketDirection][] = [];
  return {
    packets,
    onPacket(atMs, bytes, direction = 'up') {
      packets.push([atMs, bytes, direction]);
      radio.onPacket(atMs, bytes, direction);
    },
    stateAt: (atMs) => radio.stateAt(atMs),
    report: (atMs) => radio.report(atMs),
  };
}

function run(options: Omit<HeartbeatSimulationOptions, 'durationMs'>, durationMs = 10 * MIN) {
  const radio = recordingRadio();
  const result = simulateHeartbeat({ durationMs, ...options }, { radio });
  return { result, packets: radio.packets };
}

const CONNECT_AT = (t: number): [number, number, PacketDirection][] => [
  [t, 60, 'up'],
  [t + 100, 60, 'down'],
  [t + 100, 440, 'up'],
  [t + 200, 44, 'down'],
  [t + 200, 120, 'up'],
  [t + 300, 46, 'down'],
];

describe('heartbeat simulation', () => {
  it('pings every 60 s of idleness on a 5 min NAT: 9 pings in 10 min, each a wake-up, no failure', () => {
    const { result, packets } = run({ policy: createFixedHeartbeat(MIN), natIdleTimeoutMs: 5 * MIN });
    // Connected at 300 ms; ping k leaves 60 s after the previous answer: 60 300, 120 400, ... 541 100.
    const pingTimes = Array.from({ length: 9 }, (_, k) => 300 + (k + 1) * MIN + k * 100);
    expect(packets).toEqual([...CONNECT_AT(0), ...pingTimes.flatMap((t) => [[t, 42, 'up'] as const, [t + 100, 42, 'down'] as const])]);
    expect(result).toMatchObject({
      pings: 9,
      failedPings: 0,
      reconnects: 0,
      wakeups: 10,
      wakeupsPerHour: 60,
      missedWindowMs: 0,
      missedWindows: 0,
    });
    expect(result.pingLog.map((p) => p.atMs)).toEqual(pingTimes);
    expect(result.energyJ).toBe(createRadioModelReplay(packets).report(10 * MIN).energyJ);
  });

  it('fails every ping of a 4 min interval on a 2 min NAT, and counts each missed window from the drop to the reconnect', () => {
    const { result, packets } = run({ policy: createFixedHeartbeat(4 * MIN), natIdleTimeoutMs: 2 * MIN });
    // The mapping goes at 300 + 120 000; the ping at 240 300 is lost, the phone gives up at 250 300,
    // and is connected again at 250 600: a window of 130 300 ms. Then the same from 250 600.
    expect(packets).toEqual([
      ...CONNECT_AT(0),
      [240_300, 42, 'up'],
      [250_300, 40, 'up'], // FIN on the dead socket
      ...CONNECT_AT(250_300),
      [490_600, 42, 'up'],
      [500_600, 40, 'up'],
      ...CONNECT_AT(500_600),
    ]);
    expect(result).toMatchObject({ pings: 2, failedPings: 2, reconnects: 2, missedWindows: 2, missedWindowMs: 2 * 130_300 });
    expect(result.pingLog).toEqual([
      { atMs: 240_300, intervalMs: 4 * MIN, survived: false },
      { atMs: 490_600, intervalMs: 4 * MIN, survived: false },
    ]);
    // Each reconnect starts 10 s after its ping, inside that ping's ~10.4 s radio tail: no wake-up of its own.
    expect(result.wakeups).toBe(3);
  });

  it('lets a chat message keep the mapping alive, and delays one that meets a dead mapping until the reconnect', () => {
    const { result, packets } = run({
      policy: createFixedHeartbeat(4 * MIN),
      natIdleTimeoutMs: 2 * MIN,
      chatMessageTimesMs: [60_000, 200_000],
    });
    expect(packets.slice(6, 8)).toEqual([
      [60_000, 240, 'down'],
      [60_000, 44, 'up'], // PUBACK; the next ping is due 4 min after this traffic
    ]);
    expect(result.pingLog.map((p) => [p.atMs, p.survived])).toEqual([
      [300_000, false],
      [550_300, false],
    ]);
    // Dropped at 180 000, reconnected at 310 300; dropped again at 430 300, reconnected at 560 600.
    expect(result).toMatchObject({
      missedWindows: 2,
      missedWindowMs: 2 * 130_300,
      delayedMessages: 1,
      delayedMessageMs: 310_300 - 200_000,
    });
  });

  it('counts a window still open at the end up to the end', () => {
    const { result } = run({ policy: createFixedHeartbeat(4 * MIN), natIdleTimeoutMs: 2 * MIN }, 200_000);
    expect(result).toMatchObject({ pings: 0, missedWindows: 1, missedWindowMs: 200_000 - 120_300 });
  });

  it('drives the adaptive policy: grows, fails, bisects, with the real times of each ping', () => {
    const policy = createAdaptiveHeartbeat({
      minIntervalMs: 10_000,
      maxIntervalMs: 100_000,
      initialIntervalMs: 40_000,
      growthStepMs: 10_000,
      successesBeforeGrowing: 1,
      safetyMarginMs: 2_000,
      resolutionMs: 1_000,
    });
    const { result } = run({ policy, natIdleTimeoutMs: 45_000 }, 420_000);
    expect(result.pingLog).toEqual([
      { atMs: 40_300, intervalMs: 40_000, survived: true },
      { atMs: 90_400, intervalMs: 50_000, survived: false }, // dropped at 85 400, detected at 100 400, reconnected at 100 700
      { atMs: 140_700, intervalMs: 40_000, survived: true },
      { atMs: 185_800, intervalMs: 45_000, survived: false }, // halfway to 50 s; 45 s idle on a 45 s NAT is gone: reconnected at 196 100
      { atMs: 236_100, intervalMs: 40_000, survived: true },
      { atMs: 278_700, intervalMs: 42_500, survived: true }, // halfway to 45 s, and so on
      { atMs: 322_550, intervalMs: 43_750, survived: true },
      { atMs: 367_025, intervalMs: 44_375, survived: true }, // 0.625 s left to learn: settled at 44.375 − 2 s
      { atMs: 409_500, intervalMs: 42_375, survived: true },
    ]);
    expect(result).toMatchObject({ failedPings: 2, reconnects: 2, missedWindows: 2, missedWindowMs: 15_300 + 10_300 });
    expect(policy.state()).toMatchObject({ intervalMs: 42_375, settled: true });
  });

  it('gives the same answer every run', () => {
    const once = () =>
      run({ policy: createAdaptiveHeartbeat(), natIdleTimeoutMs: 5 * MIN, chatMessageTimesMs: [1000, 500_000] }, 6 * 60 * MIN).result;
    expect(once()).toEqual(once());
  });
});

/** The energy the radio model gives for the same packets fed to it directly. */
function createRadioModelReplay(packets: [number, number, PacketDirection][]): RadioModel {
  const radio = createRadioModel();
  for (const [atMs, bytes, direction] of packets) radio.onPacket(atMs, bytes, direction);
  return radio;
}
