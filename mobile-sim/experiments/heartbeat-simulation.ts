/**
 * One phone on one network, in virtual time (a discrete-event simulation): the real heartbeat
 * policy decides when to ping, a NAT mapping with the proxy's idle-drop rule (nat-mapping.ts)
 * carries the connection, and the real radio model is charged for every packet the phone sends
 * or receives.
 *
 * The phone: connects (TCP handshake, CONNECT/CONNACK, SUBSCRIBE/SUBACK, one round trip each);
 * after `policy.intervalMs()` without traffic sends a PINGREQ; a PINGRESP within `pingTimeoutMs`
 * is a success, none is a failure, after which it closes the socket and reconnects through a new
 * mapping. Incoming chat messages (answered with a PUBACK) are traffic too, and restart the wait.
 * The NAT sits at the phone's end of the path: phone → NAT costs nothing, NAT → server half the
 * round trip.
 *
 * A missed-message window runs from the moment the NAT dropped the mapping, unknown to the
 * phone, until the reconnect after the failed ping completes: messages sent to the phone then
 * are lost on the way and wait for the gap fetch after the reconnect
 * (docs/durable-path.md#ordering-and-gap-fill).
 */
import { batteryPercentPerDay, DEFAULT_BATTERY, type BatterySpec } from '../energy/battery.js';
import { createRadioModel, type RadioModel } from '../energy/radio-model.js';
import type { HeartbeatPolicy, TimerHandle } from '@mqtt-chat/sdk';
import { createNatMapping, type NatMapping } from '../net/nat-mapping.js';
import { createVirtualClock } from '../../devtools/index.js';

/** A phone 50 ms from its server each way. */
export const DEFAULT_SIM_RTT_MS = 100;
/** How long the phone waits for a PINGRESP; Mars holds an 8 s wakelock for it (docs/mobile-realities.md#the-adaptive-heartbeat). */
export const DEFAULT_SIM_PING_TIMEOUT_MS = 10_000;

/** Bytes on the wire, 40 B of TCP/IP headers included. */
export const PACKET_BYTES = {
  pingreq: 42,
  pingresp: 42,
  /** The phone closes the socket of the dead connection; the NAT discards the FIN. */
  fin: 40,
  /** A QoS 1 PUBLISH of a short chat message, and its PUBACK. */
  chatMessage: 240,
  puback: 44,
} as const;

/** A (re)connect, one round trip each: [bytes up, bytes down]. */
export const CONNECT_EXCHANGES: readonly (readonly [upBytes: number, downBytes: number])[] = [
  [60, 60], // SYN / SYN-ACK
  [440, 44], // ACK + CONNECT with a ~300 B JWT as password / CONNACK
  [120, 46], // SUBSCRIBE (inbox and rooms) / SUBACK
];

export interface HeartbeatSimulationOptions {
  policy: HeartbeatPolicy;
  natIdleTimeoutMs: number;
  durationMs: number;
  rttMs?: number;
  pingTimeoutMs?: number;
  /** When incoming chat messages reach the phone's NAT, in ms from the start. */
  chatMessageTimesMs?: readonly number[];
  battery?: BatterySpec;
}

export interface HeartbeatSimulationDeps {
  /** Default: a fresh LTE model. */
  radio?: RadioModel;
}

export interface PingRecord {
  atMs: number;
  intervalMs: number;
  survived: boolean;
}

export interface HeartbeatSimulationResult {
  durationMs: number;
  pings: number;
  failedPings: number;
  reconnects: number;
  wakeups: number;
  wakeupsPerHour: number;
  energyJ: number;
  batteryPercentPerDay: number;
  /** Summed time the phone believed it was connected while its mapping was gone (a window still open at the end counts up to the end). */
  missedWindowMs: number;
  missedWindows: number;
  /** Chat messages that met a dead mapping or a reconnecting phone, and their summed wait until the reconnect. */
  delayedMessages: number;
  delayedMessageMs: number;
  pingLog: PingRecord[];
}

export function simulateHeartbeat(options: HeartbeatSimulationOptions, deps: HeartbeatSimulationDeps = {}): HeartbeatSimulationResult {
  const clock = createVirtualClock();
  const radio = deps.radio ?? createRadioModel();
  const { policy, natIdleTimeoutMs, durationMs } = options;
  const rttMs = options.rttMs ?? DEFAULT_SIM_RTT_MS;
  const pingTimeoutMs = options.pingTimeoutMs ?? DEFAULT_SIM_PING_TIMEOUT_MS;
  const counts = { pings: 0, failedPings: 0, reconnects: 0, missedWindowMs: 0, missedWindows: 0, delayedMessages: 0, delayedMessageMs: 0 };
  const pingLog: PingRecord[] = [];
  const openMapping = (): NatMapping => createNatMapping({ clock }, { idleTimeoutMs: natIdleTimeoutMs });
  let mapping = openMapping();
  let connected = false;
  let pingTimer: TimerHandle | undefined;
  let pongTimer: TimerHandle | undefined;
  /** When the mapping a reconnect is replacing went; undefined outside a reconnect. */
  let reconnectingAfterDropMs: number | undefined;
  /** Arrival times of chat messages waiting for the next connect. */
  let waitingMessagesMs: number[] = [];

  /** The phone sends a packet: the radio pays for it whatever the NAT then does with it. */
  function send(bytes: number, via: NatMapping = mapping): boolean {
    radio.onPacket(clock.now(), bytes, 'up');
    return via.pass();
  }

  /** A packet from the server reaches the NAT: it reaches the phone (and its radio) only through a live mapping. */
  function arrive(bytes: number, via: NatMapping = mapping): boolean {
    if (!via.pass()) return false;
    radio.onPacket(clock.now(), bytes, 'down');
    return true;
  }

  function armPing(): void {
    if (pingTimer !== undefined) clock.clearTimeout(pingTimer);
    pingTimer = clock.setTimeout(sendPing, policy.intervalMs());
  }

  function sendPing(): void {
    pingTimer = undefined;
    const record = { atMs: clock.now(), intervalMs: policy.intervalMs(), survived: false };
    counts.pings++;
    const via = mapping;
    if (send(PACKET_BYTES.pingreq, via)) {
      clock.setTimeout(() => {
        if (arrive(PACKET_BYTES.pingresp, via)) pingAnswered(record);
      }, rttMs);
    }
    pongTimer = clock.setTimeout(() => pingTimedOut(record), pingTimeoutMs);
  }

  function pingAnswered(record: PingRecord): void {
    if (pongTimer !== undefined) clock.clearTimeout(pongTimer);
    pongTimer = undefined;
    pingLog.push({ ...record, survived: true });
    policy.pingSucceeded();
    armPing();
  }

  function pingTimedOut(record: PingRecord): void {
    pongTimer = undefined;
    pingLog.push(record);
    counts.failedPings++;
    policy.pingFailed();
    reconnect();
  }

  function reconnect(): void {
    connected = false;
    counts.reconnects++;
    if (pingTimer !== undefined) clock.clearTimeout(pingTimer);
    pingTimer = undefined;
    reconnectingAfterDropMs = mapping.droppedAtMs();
    send(PACKET_BYTES.fin);
    mapping.close();
    mapping = openMapping();
    exchange(0);
  }

  /** Round trip `index` of the connect handshake: up now, down one round trip later. */
  function exchange(index: number): void {
    const [upBytes, downBytes] = CONNECT_EXCHANGES[index]!;
    send(upBytes);
    clock.setTimeout(() => {
      arrive(downBytes);
      if (index + 1 < CONNECT_EXCHANGES.length) exchange(index + 1);
      else connectionReady();
    }, rttMs);
  }

  function connectionReady(): void {
    if (reconnectingAfterDropMs !== undefined) {
      counts.missedWindows++;
      counts.missedWindowMs += clock.now() - reconnectingAfterDropMs;
    }
    reconnectingAfterDropMs = undefined;
    connected = true;
    for (const arrivedMs of waitingMessagesMs) counts.delayedMessageMs += clock.now() - arrivedMs;
    waitingMessagesMs = [];
    armPing();
  }

  function chatMessage(): void {
    if (!connected || !arrive(PACKET_BYTES.chatMessage)) {
      counts.delayedMessages++;
      waitingMessagesMs.push(clock.now());
      return;
    }
    send(PACKET_BYTES.puback);
    // Traffic restarts the idle wait, unless a ping is out: its answer re-arms it.
    if (pongTimer === undefined) armPing();
  }

  function summarize(): HeartbeatSimulationResult {
    const stillDeafSinceMs = connected ? mapping.droppedAtMs() : reconnectingAfterDropMs;
    if (stillDeafSinceMs !== undefined) {
      counts.missedWindows++;
      counts.missedWindowMs += durationMs - stillDeafSinceMs;
    }
    for (const arrivedMs of waitingMessagesMs) counts.delayedMessageMs += durationMs - arrivedMs;
    const report = radio.report(durationMs);
    return {
      durationMs,
      ...counts,
      wakeups: report.wakeups,
      wakeupsPerHour: report.wakeups / (durationMs / 3_600_000),
      energyJ: report.energyJ,
      batteryPercentPerDay: batteryPercentPerDay(report.energyJ, durationMs, options.battery ?? DEFAULT_BATTERY),
      pingLog,
    };
  }

  for (const atMs of options.chatMessageTimesMs ?? []) clock.setTimeout(chatMessage, atMs);
  exchange(0);
  clock.advanceTo(durationMs);
  return summarize();
}
