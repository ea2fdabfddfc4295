/**
 * Messages between the benchmark's main thread (the platform under test) and the load
 * thread (the simulated devices). The devices run on their own thread so that their MQTT
 * parsing does not eat the platform's event loop: clients are elsewhere in real life.
 */
import type { LatencySummary } from './stats.js';

export interface ClientSpec {
  userId: string;
  deviceId: string;
  /** Platform only: the device token (the plain Aedes baseline has no auth). */
  token: string;
  roomId: string;
  /** Platform only: the room's member version the Send carries. */
  roomVersion: number;
  /** One member per room measures send→delivery for the others' messages. */
  isReceiver: boolean;
}

/**
 * What the devices talk to:
 * - platform: the durable path. A Send goes to the user's send topic; its "ack" is the Ack in
 *   the inbox (after the commit), its delivery the Message the platform fans out to the room;
 * - plain-aedes: the baseline, a bare broker. The device publishes a Message-shaped protobuf
 *   straight to the room topic; its "ack" is the PUBACK, its delivery the broker's own fan-out.
 */
export type LoadTarget = 'platform' | 'plain-aedes';

export interface LoadSetup {
  target: LoadTarget;
  mqttUrl: string;
  clients: ClientSpec[];
  bodyBytes: number;
}

export type PhaseSpec =
  | { kind: 'saturation'; windowPerClient: number; warmupMs: number; measureMs: number }
  | { kind: 'paced'; rateMsgsPerSec: number; warmupMs: number; measureMs: number };

export interface PhaseResult {
  /** Sends issued inside the measured window (the latency samples come from these). */
  sentInWindow: number;
  /** Acks that arrived inside the measured window, whenever their send was issued. */
  ackedInWindow: number;
  ackedMsgsPerSec: number;
  ack: LatencySummary;
  delivery: LatencySummary;
  nacks: number;
  /** Measured sends still without an Ack, or a receiver's Message, when the drain limit ran out. */
  unacked: number;
  undelivered: number;
  /** Publishes MQTT.js failed locally (connection lost), over the whole run so far. */
  publishErrors: number;
  /**
   * Paced sends skipped because the platform was already a second of load behind: beyond that
   * the aim is missed anyway, and a longer queue would only make the drain (and the run) long.
   */
  notOffered: number;
  /** How late the paced generator issued sends (0 at saturation); latencies include it. */
  generatorLagP99Ms: number;
  /** Event loop utilization of the load thread: near 1 means the devices, not the platform, were the limit. */
  loadLoopUtilization: number;
}

export type ToLoad = { type: 'setup'; setup: LoadSetup } | { type: 'phase'; spec: PhaseSpec } | { type: 'close' };

export type FromLoad =
  | { type: 'ready' }
  | { type: 'progress'; elapsedMs: number; ackedTotal: number; ackedLastSecond: number }
  | { type: 'result'; result: PhaseResult }
  | { type: 'closed' }
  | { type: 'failed'; message: string };
