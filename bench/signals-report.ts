/**
 * Printing for bench:signals: one block per part as it finishes, then the summary with each
 * aim of the issue judged from this run's own figures.
 */
import { TYPING_RENEW_INTERVAL_MS } from '@mqtt-chat/sdk';
import type { IdleBaseline, RelayPhaseResult } from './signals-relay.js';
import type { TypingMinuteResult } from './signals-typing.js';
import type { Direction, WireEncodingKind, WireReport } from './signals-wire.js';
import type { MeasuredWire, Transport } from './signals-wire-check.js';

/** Issue: a typing payload of at most this many bytes. */
export const AIM_PAYLOAD_BYTES = 10;

export interface BrokerRelayReport {
  label: string;
  idle: IdleBaseline;
  devices: number;
  phases: RelayPhaseResult[];
}

const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
const micros = (n: number) => (n < 10 ? fixed(n, 2) : n < 1000 ? fixed(n, 1) : int(n));
const totalPackets = (m: TypingMinuteResult) => m.packets.start + m.packets.renew + m.packets.stop;
const row = (report: WireReport, direction: Direction, kind: WireEncodingKind) =>
  report.tables.find((t) => t.direction === direction)!.rows.find((r) => r.kind === kind)!;
const ours = (report: WireReport, direction: Direction) => row(report, direction, 'mqtt+protobuf');
const jsonOverWebSocket = (report: WireReport, direction: Direction) => row(report, direction, 'ws+json-self');

export function printTypingMinute(m: TypingMinuteResult, seed: number, meanQuickGapMs: number): void {
  const seconds = m.spanMs / 1000;
  const packets = totalPackets(m);
  const renewals = Math.floor(m.activityMs / TYPING_RENEW_INTERVAL_MS);
  console.log(`\n1. Typing sender: the SDK's createTypingSender on a virtual clock, one simulated minute (seed ${seed})`);
  printColumns([
    [
      'keystrokes',
      `${m.keystrokes} in ${fixed(seconds, 1)} s (${fixed(m.keystrokes / seconds, 1)}/s); ${fixed(1000 / meanQuickGapMs, 1)}/s within a run; ` +
        `${m.messagesSent} messages sent; ${m.longPauses} pauses of 1 s or more mid-message`,
    ],
    ['bursts', `${m.bursts} (each START ... STOP), ${fixed(m.activityMs / 1000, 1)} s of activity (first to last keystroke of each burst)`],
    ['packets sent', `${packets}: START ${m.packets.start}, RENEW ${m.packets.renew}, STOP ${m.packets.stop}`],
    [
      'budget',
      `bursts x 2 + floor(activity / 3 s) = ${m.bursts * 2} + ${renewals} = ${m.budgetPackets}: ${packets} <= ${m.budgetPackets}, aim ${verdict(packets <= m.budgetPackets)}`,
    ],
    ['naive', `one packet per keystroke: ${m.keystrokes} packets, ${fixed(m.keystrokes / packets, 1)}x as many`],
  ]);
}

export function printWireTables(report: WireReport, minute: TypingMinuteResult): void {
  console.log(
    `\n2. Bytes per typing event (START) on the wire: ids of ${report.idChars} characters (lib/ids.ts), topic ${report.topic} (${report.topic.length} bytes)`,
  );
  console.log(
    '  JSON shapes compared (same fields: what the protobuf carries, room in the topic; self-describing: type and room in the payload):',
  );
  for (const [direction, shapes] of Object.entries(report.jsonShapes))
    console.log(`    ${direction.padEnd(17)}  same fields ${shapes.sameFields}\n${' '.repeat(23)}self-describing ${shapes.selfDescribing}`);
  for (const table of report.tables) {
    const base = ours(report, table.direction).wireBytes;
    console.log(`  ${table.direction}`);
    printColumns(
      [
        ['encoding', 'payload B', 'on the wire B', 'vs ours'],
        ...table.rows.map((r) => [r.encoding, int(r.payloadBytes), int(r.wireBytes), `${fixed(r.wireBytes / base, 2)}x`]),
      ],
      4,
    );
  }
  const packets = totalPackets(minute);
  const minuteBytes = (direction: Direction) => {
    const mqtt = ours(report, direction).wireBytes;
    const json = jsonOverWebSocket(report, direction).wireBytes;
    return (
      `ours ${packets} x ${mqtt} B = ${int(packets * mqtt)} B; a packet per keystroke: ${minute.keystrokes} x ${mqtt} B = ` +
      `${int(minute.keystrokes * mqtt)} B as MQTT + protobuf, ${minute.keystrokes} x ${json} B = ${int(minute.keystrokes * json)} B as JSON over WebSocket`
    );
  };
  console.log('  the minute of part 1 (MQTT and WebSocket frames):');
  console.log(`    sent by the typist:       ${minuteBytes('client → broker')}`);
  console.log(`    received by each member:  ${minuteBytes('broker → receiver')}`);
  console.log(
    '  not counted: IP+TCP headers (40-60 B a segment) and TLS records (22 B each in TLS 1.3), the same for every row, once per packet',
  );
}

/** What the proxies counted against the computed frame sizes, and the WebSocket frames that implies. */
export function printMeasuredWire(measured: MeasuredWire, report: WireReport): void {
  console.log(`\n2b. The same, measured on the live platform: ${measured.events} events per device through byte-counting proxies`);
  const rows: string[][] = [['path', 'measured B', 'computed B', 'WebSocket frames per MQTT packet']];
  for (const direction of ['client → broker', 'broker → receiver'] as const) {
    const mqttBytes = ours(report, direction).wireBytes;
    const isMasked = direction === 'client → broker';
    const byTransport = direction === 'client → broker' ? measured.clientToBroker : measured.brokerToReceiver;
    for (const transport of ['tcp', 'ws'] as Transport[]) {
      const computed = transport === 'tcp' ? mqttBytes : row(report, direction, 'mqtt-ws+protobuf').wireBytes;
      // Every frame here is under 126 bytes, so each costs 2 header bytes, plus a 4-byte mask from a client [RFC 6455 §5.2].
      const frames = transport === 'ws' ? fixed((byTransport[transport] - mqttBytes) / (isMasked ? 6 : 2), 1) : '';
      rows.push([
        `${direction}, MQTT over ${transport === 'tcp' ? 'TCP' : 'WebSocket'}`,
        fixed(byTransport[transport], 1),
        int(computed),
        frames,
      ]);
    }
  }
  printColumns(rows);
  const isSplit = (['client → broker', 'broker → receiver'] as const).some(
    (direction) =>
      (direction === 'client → broker' ? measured.clientToBroker : measured.brokerToReceiver).ws >
      row(report, direction, 'mqtt-ws+protobuf').wireBytes,
  );
  if (isSplit)
    console.log(
      '  over WebSocket, MQTT.js and the broker (ws createWebSocketStream) send each MQTT packet in pieces, one WebSocket frame each',
    );
}

export function printRelay(reports: readonly BrokerRelayReport[], ticksPerSecond: number): void {
  console.log('\n3. Broker CPU per relayed typing event: QoS 0, one typist, every member subscribed');
  console.log("  (the typist's own device too: MQTT 3.1.1 has no No Local, so a member gets the echo of its own typing)");
  console.log(
    `  CPU: user + system time of the broker process (/proc/<pid>/stat, ${ticksPerSecond} ticks/s) over the window, less its idle rate`,
  );
  for (const r of reports)
    console.log(
      `  idle: ${r.label} ${fixed(r.idle.cpuMicros / r.idle.windowMs / 1000, 3)} cores with ${int(r.devices)} devices connected` +
        `${r.idle.deliveries === 0 ? '' : ` (and ${int(r.idle.deliveries)} unexpected deliveries)`}`,
    );
  const rows: string[][] = [
    [
      'broker',
      'room',
      'events/s',
      'deliveries/s',
      'events',
      'deliveries got / expected',
      'window s',
      'CPU ms net (raw, sys %)',
      'µs/event',
      'µs/delivery',
      'fleet thread busy',
    ],
  ];
  for (const r of reports) {
    for (const p of r.phases) {
      const rawMicros = p.cpu.userMicros + p.cpu.systemMicros;
      rows.push([
        r.label,
        int(p.members),
        int(p.eventsPerSecond),
        int(p.eventsPerSecond * p.members),
        int(p.events),
        `${int(p.deliveries)} / ${int(p.expectedDeliveries)}`,
        fixed(p.windowMs / 1000, 1),
        `${int(p.netCpuMicros / 1000)} (${int(rawMicros / 1000)}, ${fixed((100 * p.cpu.systemMicros) / rawMicros, 0)}%)`,
        micros(p.netCpuMicros / p.events),
        micros(p.netCpuMicros / p.deliveries),
        `${fixed(p.fleetLoopUtilization * 100, 0)}%`,
      ]);
    }
  }
  printColumns(rows);
  console.log("  sys %: on loopback the broker's write() also runs the receiving side of TCP, work a real network would do on the phones");
}

export interface SummaryInput {
  minute: TypingMinuteResult;
  wire: WireReport;
  measured: MeasuredWire;
  /** The platform's, then the plain Aedes baseline's. */
  relay: readonly [BrokerRelayReport, BrokerRelayReport];
}

export function printSummary({ minute, wire, measured, relay }: SummaryInput): void {
  const packets = totalPackets(minute);
  const rows: string[][] = [['aim (issue)', 'this run', 'verdict']];
  rows.push([
    '<= 1 packet per 3 s of activity, + START and STOP per burst',
    `${packets} packets for ${minute.keystrokes} keystrokes, budget ${minute.budgetPackets}`,
    verdict(packets <= minute.budgetPackets),
  ]);
  const unstampedBytes = ours(wire, 'client → broker').payloadBytes;
  for (const direction of ['client → broker', 'broker → receiver'] as const) {
    const payload = ours(wire, direction).payloadBytes;
    const stamp = payload > unstampedBytes ? ` (${payload - unstampedBytes} B of it the stamped user id)` : '';
    rows.push([
      `typing payload <= ${AIM_PAYLOAD_BYTES} B, ${direction}`,
      `${payload} B protobuf${stamp}`,
      verdict(payload <= AIM_PAYLOAD_BYTES),
    ]);
  }
  for (const direction of ['client → broker', 'broker → receiver'] as const) {
    const mqtt = ours(wire, direction).wireBytes;
    const json = jsonOverWebSocket(wire, direction).wireBytes;
    rows.push([`MQTT frame < JSON-over-WebSocket frame, ${direction}`, `${mqtt} B < ${json} B`, verdict(mqtt < json)]);
  }
  if (measured !== undefined) {
    for (const direction of ['client → broker', 'broker → receiver'] as const) {
      const ws = direction === 'client → broker' ? measured.clientToBroker.ws : measured.brokerToReceiver.ws;
      const json = jsonOverWebSocket(wire, direction).wireBytes;
      rows.push([
        `  (info) MQTT over WebSocket as sent today, ${direction}`,
        `${fixed(ws, 1)} B vs ${json} B`,
        ws < json ? 'smaller' : 'NOT smaller',
      ]);
    }
  }
  const [platform, baseline] = relay;
  const perEvent = (x: RelayPhaseResult) =>
    `${micros(x.netCpuMicros / x.events)} µs/event, ${micros(x.netCpuMicros / x.deliveries)} µs/delivery`;
  for (const [i, p] of platform.phases.entries()) {
    const b = baseline.phases[i]!;
    const lost = p.expectedDeliveries - p.deliveries + (b.expectedDeliveries - b.deliveries);
    rows.push([
      `  (info) broker CPU, room of ${int(p.members)}`,
      `${platform.label} ${perEvent(p)}; ${baseline.label} ${perEvent(b)}; platform/plain ${fixed(p.netCpuMicros / p.events / (b.netCpuMicros / b.events), 2)}x`,
      lost === 0 ? 'all delivered' : `${int(lost)} deliveries LOST`,
    ]);
  }
  console.log('\nsummary');
  printColumns(rows);
}

function printColumns(rows: readonly string[][], indent = 2): void {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]?.length ?? 0)));
  for (const r of rows)
    console.log(
      `${' '.repeat(indent)}${r
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd()}`,
    );
}
