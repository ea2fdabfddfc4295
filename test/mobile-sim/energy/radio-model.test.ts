import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRadioModel } from '../../../mobile-sim/energy/radio-model.js';
import { LTE_PROFILE, UMTS_PROFILE, WIFI_PROFILE } from '../../../mobile-sim/energy/radio-profiles.js';

// ARO lte.conf, worked out by hand (docs/mobile-realities.md#radio-energy).
const LTE_PROMOTION_J = 0.26 * 1.21;
const LTE_CR_W = 1.2;
const LTE_SHORT_DRX_W = (0.002 * 1.68 + 0.018 * 1.06) / 0.02; // 1.122 W
const LTE_LONG_DRX_W = (0.002 * 1.68 + 0.038 * 1.06) / 0.04; // 1.091 W
const LTE_TAIL_J = 0.1 * LTE_CR_W + 0.02 * LTE_SHORT_DRX_W + 10 * LTE_LONG_DRX_W;
const LTE_TAIL_MS = 100 + 20 + 10_000;
const LTE_IDLE_W = (0.043 * 0.594) / 1.28; // ≈ 20 mW of paging
/** 1500 bytes up at 6 Mbps: 2 ms at β + α_up · 6 Mbps. */
const MTU_UP_MS = 2;
const MTU_UP_J = 0.002 * (1.2 + 0.43839 * 6);

describe('radio model, LTE', () => {
  it('charges one isolated packet a promotion, its transfer and the whole tail, and counts one wake-up', () => {
    const radio = createRadioModel();
    radio.onPacket(0, 1500);
    const endMs = 260 + MTU_UP_MS + LTE_TAIL_MS;
    const report = radio.report(endMs);
    expect(report.wakeups).toBe(1);
    expect(report.energyJ).toBeCloseTo(LTE_PROMOTION_J + MTU_UP_J + LTE_TAIL_J, 9);
    expect(report.energyJ).toBeCloseTo(11.37, 2);
    expect(report.byState).toEqual({
      promotion: { timeMs: 260, energyJ: expect.closeTo(LTE_PROMOTION_J, 9) },
      transfer: { timeMs: expect.closeTo(MTU_UP_MS, 9), energyJ: expect.closeTo(MTU_UP_J, 9) },
      'continuous-reception': { timeMs: 100, energyJ: expect.closeTo(0.12, 9) },
      'short-drx': { timeMs: 20, energyJ: expect.closeTo(0.02 * LTE_SHORT_DRX_W, 9) },
      'long-drx': { timeMs: 10_000, energyJ: expect.closeTo(10 * LTE_LONG_DRX_W, 9) },
    });
  });

  it('costs about 11.5 J for a ping and its answer 100 ms later, as docs/mobile-realities.md#radio-energy works out', () => {
    const radio = createRadioModel();
    radio.onPacket(0, 42, 'up'); // PINGREQ: 2 bytes of MQTT in 40 of TCP/IP
    radio.onPacket(360, 42, 'down'); // PINGRESP, 100 ms after the promotion ended
    expect(radio.report(60_000).wakeups).toBe(1);
    const heartbeatJ = radio.report(60_000).energyJ - LTE_IDLE_W * (60 - 0.36 - 10.12);
    expect(heartbeatJ).toBeCloseTo(11.49, 1);
  });

  it('walks idle → promotion → transfer → continuous reception → short DRX → long DRX → idle', () => {
    const radio = createRadioModel();
    radio.onPacket(1000, 1500);
    const at = (ms: number) => radio.stateAt(1000 + ms);
    expect([at(0), at(259), at(260), at(261), at(262), at(361), at(362), at(381), at(382), at(10_381), at(10_382)]).toEqual([
      'promotion',
      'promotion',
      'transfer',
      'transfer',
      'continuous-reception',
      'continuous-reception',
      'short-drx',
      'short-drx',
      'long-drx',
      'long-drx',
      'idle',
    ]);
  });

  it('lets two packets within the tail share one wake-up: the second only restarts the tail', () => {
    const radio = createRadioModel();
    radio.onPacket(0, 1500);
    radio.onPacket(5000, 1500); // in long DRX: 5000 − 262 − 120 ms into it
    const endMs = 5000 + MTU_UP_MS + LTE_TAIL_MS;
    const report = radio.report(endMs);
    expect(report.wakeups).toBe(1);
    const firstTailJ = 0.1 * LTE_CR_W + 0.02 * LTE_SHORT_DRX_W + ((5000 - 262 - 120) / 1000) * LTE_LONG_DRX_W;
    expect(report.energyJ).toBeCloseTo(LTE_PROMOTION_J + MTU_UP_J + firstTailJ + MTU_UP_J + LTE_TAIL_J, 9);
  });

  it('wakes the radio again for a packet after the tail ended, with idle power in between', () => {
    const radio = createRadioModel();
    const isolatedMs = 260 + MTU_UP_MS + LTE_TAIL_MS;
    radio.onPacket(0, 1500);
    radio.onPacket(60_000, 1500);
    const report = radio.report(60_000 + isolatedMs);
    expect(report.wakeups).toBe(2);
    const isolatedJ = LTE_PROMOTION_J + MTU_UP_J + LTE_TAIL_J;
    expect(report.energyJ).toBeCloseTo(2 * isolatedJ + LTE_IDLE_W * ((60_000 - isolatedMs) / 1000), 9);
  });

  it('spends exactly idle power × time over a quiet period: 1724 J a day of paging (docs/mobile-realities.md#radio-energy)', () => {
    const radio = createRadioModel({ startMs: 5000 });
    const report = radio.report(5000 + 86_400_000);
    expect(report).toMatchObject({ wakeups: 0, elapsedMs: 86_400_000 });
    expect(report.energyJ).toBeCloseTo(LTE_IDLE_W * 86_400, 6);
    expect(Math.round(report.energyJ)).toBe(1724);
  });

  it('queues a packet sent during the promotion behind it, without a second wake-up', () => {
    const radio = createRadioModel();
    radio.onPacket(0, 1500);
    radio.onPacket(100, 1500);
    expect(radio.stateAt(262)).toBe('transfer'); // the second transfer follows the first
    expect(radio.stateAt(264)).toBe('continuous-reception');
    const report = radio.report(264 + LTE_TAIL_MS);
    expect(report.wakeups).toBe(1);
    expect(report.energyJ).toBeCloseTo(LTE_PROMOTION_J + 2 * MTU_UP_J + LTE_TAIL_J, 9);
  });

  it('scales every power figure by powerScale', () => {
    const full = createRadioModel();
    const half = createRadioModel({ powerScale: 0.5 });
    for (const radio of [full, half]) {
      radio.onPacket(0, 100);
      radio.onPacket(30_000, 100, 'down');
    }
    expect(half.report(100_000).energyJ).toBeCloseTo(full.report(100_000).energyJ / 2, 9);
  });

  it('reports without changing what later packets cost', () => {
    const asked = createRadioModel();
    const quiet = createRadioModel();
    asked.onPacket(0, 100);
    quiet.onPacket(0, 100);
    asked.report(3000);
    asked.report(7000);
    asked.onPacket(8000, 100);
    quiet.onPacket(8000, 100);
    expect(asked.report(40_000)).toEqual(quiet.report(40_000));
  });

  it('rejects packets and reports out of time order', () => {
    const radio = createRadioModel();
    radio.onPacket(1000, 10);
    expect(() => radio.onPacket(999, 10)).toThrow(RangeError);
    expect(() => radio.report(500)).toThrow(RangeError);
    expect(() => radio.onPacket(1000, -1)).toThrow(/bytes/);
    expect(() => createRadioModel({ powerScale: 0 })).toThrow(/powerScale/);
  });
});

describe('radio model laws', () => {
  const packetsArb = fc.array(fc.record({ gapMs: fc.integer({ min: 0, max: 30_000 }), bytes: fc.integer({ min: 0, max: 100_000 }) }), {
    maxLength: 40,
  });
  const isolatedJ = (bytes: number) => {
    const radio = createRadioModel();
    radio.onPacket(0, bytes);
    return radio.report(1_000_000).energyJ - (LTE_IDLE_W * (1_000_000 - 260 - (bytes * 8) / 6000 - LTE_TAIL_MS)) / 1000;
  };

  it('never costs more than the packets would alone, never less than idling, and wakes at most once per packet', () => {
    fc.assert(
      fc.property(packetsArb, (packets) => {
        const radio = createRadioModel();
        let atMs = 0;
        for (const { gapMs, bytes } of packets) radio.onPacket((atMs += gapMs), bytes);
        const endMs = atMs + 60_000;
        const report = radio.report(endMs);
        const idleJ = (LTE_IDLE_W * endMs) / 1000;
        const aloneJ = packets.reduce((sum, p) => sum + isolatedJ(p.bytes), 0);
        expect(report.energyJ).toBeGreaterThanOrEqual(idleJ - 1e-9);
        expect(report.energyJ).toBeLessThanOrEqual(idleJ + aloneJ + 1e-9);
        expect(report.wakeups).toBeLessThanOrEqual(packets.length);
        expect(report.wakeups >= 1).toBe(packets.length > 0);
        const timeMs = Object.values(report.byState).reduce((sum, s) => sum + s.timeMs, 0);
        expect(timeMs).toBeCloseTo(endMs, 6);
      }),
    );
  });
});

describe('radio model, 3G and Wi-Fi profiles', () => {
  it('3G: carries a small packet in FACH without a promotion, and promotes a big one FACH → DCH', () => {
    const small = createRadioModel({ profile: UMTS_PROFILE });
    small.onPacket(0, 100);
    expect([small.stateAt(1999), small.stateAt(2000), small.stateAt(6000)]).toEqual(['promotion', 'dch', 'fach']);
    small.onPacket(7000, 543, 'up');
    expect([small.stateAt(7000), small.stateAt(16_999), small.stateAt(17_000)]).toEqual(['fach', 'fach', 'idle']);

    const big = createRadioModel({ profile: UMTS_PROFILE });
    big.onPacket(0, 100);
    big.onPacket(7000, 476, 'down');
    expect([big.stateAt(7000), big.stateAt(8500), big.stateAt(12_500), big.stateAt(22_500)]).toEqual(['promotion', 'dch', 'fach', 'idle']);
    expect(big.report(30_000)).toMatchObject({ wakeups: 1 });
    expect(big.report(30_000).energyJ).toBeCloseTo(0.465 * 2 + 0.93 * 4 + 0.51 * 1 + 0.72 * 1.5 + 0.93 * 4 + 0.51 * 10, 9);
  });

  it('3G: costs ≈ 9.8 J for an isolated keepalive (docs/mobile-realities.md#radio-energy)', () => {
    const radio = createRadioModel({ profile: UMTS_PROFILE });
    radio.onPacket(0, 42);
    expect(radio.report(60_000).energyJ).toBeCloseTo(9.75, 2);
  });

  it('Wi-Fi: a keepalive costs about a tenth of a joule, at standby power otherwise', () => {
    const radio = createRadioModel({ profile: WIFI_PROFILE });
    radio.onPacket(0, 42);
    const report = radio.report(60_000);
    expect(report.wakeups).toBe(1);
    expect(report.energyJ - 0.02 * 59.75).toBeCloseTo(0.403 * 0.25, 9);
  });

  it('uses LTE by default', () => {
    const byDefault = createRadioModel();
    const lte = createRadioModel({ profile: LTE_PROFILE });
    byDefault.onPacket(0, 42);
    lte.onPacket(0, 42);
    expect(byDefault.report(20_000)).toEqual(lte.report(20_000));
  });
});
