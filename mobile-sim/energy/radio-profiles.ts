/**
 * Radio power profiles for the energy model (docs/mobile-realities.md#radio-energy). The figures
 * are AT&T ARO / Video Optimizer device profiles (github.com/attdevsupport/VideoOptimizer
 * `ARO.Core/src/main/resources/{lte,WiFi}.conf`; 3G from attdevsupport/ARO `aria.conf`), which
 * encode Huang et al., "A Close Examination of Performance and Power Characteristics of 4G LTE
 * Networks", MobiSys 2012, and Qian et al., IMC 2010. They were measured on 2011–12 phones;
 * modern modems draw less (scale with `powerScale`), but the shape, a tail that dominates a
 * small transfer, still holds.
 */

/** A state the radio passes through after the last packet, before it goes idle. */
export interface RadioTailStage {
  name: string;
  durationMs: number;
  /** Average power over the stage (DRX stages: the duty-cycled wake-ups averaged in). */
  powerW: number;
  /**
   * A shared low-rate channel (3G FACH): packets up to these sizes are carried in this stage,
   * which restarts; a bigger one first pays `promotion` back to the first stage. Without it, any
   * packet returns the radio to the first stage at once (LTE DRX: the next DRX wake-up serves it).
   */
  sharedChannel?: { maxUpBytes: number; maxDownBytes: number; promotion: { durationMs: number; powerW: number } };
}

export interface RadioProfile {
  name: string;
  /** Average power while idle, paging included. */
  idlePowerW: number;
  /** Idle → connected; every one is a radio wake-up. */
  promotion: { durationMs: number; powerW: number };
  /**
   * Power while bytes move: `basePowerW + alphaUp·upMbps` (or down), for `bytes·8 / rate` (Huang's
   * model). Absent: packets take no time of their own and the stage powers cover them.
   */
  transfer?: { basePowerW: number; alphaUpWPerMbps: number; alphaDownWPerMbps: number; upMbps: number; downMbps: number };
  /** After the last packet, in order; then idle. */
  tail: readonly RadioTailStage[];
}

/** The average power of a stage that sleeps at `basePowerW` and wakes for `onMs` every `periodMs` at `onPowerW`. */
export const dutyCycledPowerW = (basePowerW: number, onPowerW: number, onMs: number, periodMs: number): number =>
  (onMs * onPowerW + (periodMs - onMs) * basePowerW) / periodMs;

// ARO lte.conf: P_TAIL 1.06 W; DRX wake-ups ("pings") of 2 ms at 1.68 W, every 20 ms (short DRX) or 40 ms (long DRX).
const LTE_TAIL_POWER_W = 1.06;
const LTE_DRX_PING_POWER_W = 1.68;
const LTE_DRX_PING_MS = 2;

/**
 * LTE (ARO lte.conf, Huang MobiSys'12): promotion 0.26 s @ 1.21 W; continuous reception at
 * β = 1.2 W for the 0.1 s inactivity timer; short DRX 0.02 s; long DRX 10 s; idle paging 43 ms
 * every 1.28 s @ 0.594 W (≈ 20 mW). An isolated ping costs ≈ 11.5 J
 * (docs/mobile-realities.md#radio-energy). Transfer: α_up 438.39 mW/Mbps, α_down 51.97 mW/Mbps at
 * Huang's median 6 Mbps up / 13 down.
 */
export const LTE_PROFILE: RadioProfile = {
  name: 'LTE',
  idlePowerW: dutyCycledPowerW(0, 0.594, 43, 1280),
  promotion: { durationMs: 260, powerW: 1.21 },
  transfer: { basePowerW: 1.2, alphaUpWPerMbps: 0.43839, alphaDownWPerMbps: 0.05197, upMbps: 6, downMbps: 13 },
  tail: [
    // ARO charges the inactivity timer at β, "assume no throughput".
    { name: 'continuous-reception', durationMs: 100, powerW: 1.2 },
    { name: 'short-drx', durationMs: 20, powerW: dutyCycledPowerW(LTE_TAIL_POWER_W, LTE_DRX_PING_POWER_W, LTE_DRX_PING_MS, 20) },
    { name: 'long-drx', durationMs: 10_000, powerW: dutyCycledPowerW(LTE_TAIL_POWER_W, LTE_DRX_PING_POWER_W, LTE_DRX_PING_MS, 40) },
  ],
};

/**
 * 3G UMTS, HTC Aria (ARO aria.conf): IDLE→DCH 2.0 s (average) @ 0.465 W; DCH 4 s @ 0.93 W;
 * FACH 10 s @ 0.51 W; idle 0 W. In FACH, packets up to the RLC buffer thresholds (543 B up,
 * 475 B down) go over the shared channel; a bigger one is promoted FACH→DCH, 1.5 s @ 0.72 W.
 */
export const UMTS_PROFILE: RadioProfile = {
  name: '3G',
  idlePowerW: 0,
  promotion: { durationMs: 2000, powerW: 0.465 },
  tail: [
    { name: 'dch', durationMs: 4000, powerW: 0.93 },
    {
      name: 'fach',
      durationMs: 10_000,
      powerW: 0.51,
      sharedChannel: { maxUpBytes: 543, maxDownBytes: 475, promotion: { durationMs: 1500, powerW: 0.72 } },
    },
  ],
};

/** Wi-Fi (ARO WiFi.conf): active 0.403 W with a 0.25 s tail, standby 0.02 W; no promotion to pay. */
export const WIFI_PROFILE: RadioProfile = {
  name: 'Wi-Fi',
  idlePowerW: 0.02,
  promotion: { durationMs: 0, powerW: 0.403 },
  tail: [{ name: 'active', durationMs: 250, powerW: 0.403 }],
};
