/**
 * bench:broker: the broker's CPU per delivery on the member-to-members relay (typing events,
 * QoS 0), this platform against plain Aedes (same version, no hooks) and Mosquitto, in one run
 * with one load generator (bench:signals' fleet of receiving devices on worker threads).
 * Phases per broker: the room of 10 and the room of 100 saturated (closed loop, see
 * broker-saturate.ts), and the room of 10 at a fixed pace (10k deliveries/s by default).
 * CPU = the broker process's user+system time (/proc/<pid>/stat, all threads) over the window
 * less its idle rate with the same connections open, divided by the deliveries received.
 * Target (issue 12): the platform within 1.2x of plain Aedes per delivery.
 * Run: npm run bench:broker -- [--seconds 6 --runs 1 --only platform,aedes,mosquitto ...]
 */
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { deviceClientId, encodeTyping, TypingState, typingTopic } from '../schema/index.js';
import { parseBrokerBenchArgs, USAGE, type BrokerBenchOptions, type BrokerName } from './broker-args.js';
import { measureSaturatedPhase } from './broker-saturate.js';
import { findMosquitto, startMosquittoProcess } from './mosquitto-process.js';
import { startPlainAedesProcess, startPlatformProcess, type BrokerProcess } from './signals-broker-process.js';
import { fleetDevices, platformFixture, plainFixture, type RoomsFixture } from './signals-fixture.js';
import { startFleet } from './signals-fleet.js';
import { measureIdle, measureRelayPhase, type RelayPhaseResult } from './signals-relay.js';
import { median } from './stats.js';

/** Issue 12: the platform's broker CPU per delivery at most this multiple of plain Aedes'. */
const TARGET_RATIO = 1.2;
const FLEET_THREADS = 2;
const PLATFORM_SECRETS = { jwtSecret: randomBytes(32).toString('hex'), adminToken: randomBytes(16).toString('hex') };
/** Raised to the platform's maximum so its per-connection typing limit drops none of the bench's events. */
const TYPING_LIMIT = { typingRatePerSecond: 1000, typingBurst: 1000 };
const STATES = [TypingState.TYPING_STATE_START, TypingState.TYPING_STATE_RENEW, TypingState.TYPING_STATE_STOP];

const startedAtMs = performance.now();
const progress = (line: string) =>
  process.stderr.write(`  ${((performance.now() - startedAtMs) / 1000).toFixed(0).padStart(3)} s  ${line}\n`);

interface BrokerUnderTest {
  name: BrokerName;
  start(): Promise<{ broker: BrokerProcess; fixture: RoomsFixture; hasAuth: boolean }>;
}

interface RunResult {
  name: BrokerName;
  label: string;
  phases: RelayPhaseResult[];
}

function brokersUnderTest(options: BrokerBenchOptions, mosquittoPath: string | undefined): BrokerUnderTest[] {
  const sizes = { small: options.smallRoomMembers, large: options.largeRoomMembers };
  const nodeArgs = options.cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`];
  const all: BrokerUnderTest[] = [
    {
      name: 'platform',
      async start() {
        const broker = await startPlatformProcess({ ...TYPING_LIMIT, ...PLATFORM_SECRETS, nodeArgs });
        try {
          progress(`[platform] pid ${broker.pid}; creating ${sizes.large} users and 2 rooms over REST...`);
          return { broker, fixture: await platformFixture(broker.api, sizes, (n) => progress(`[platform] ${n} users`)), hasAuth: true };
        } catch (error) {
          await broker.stop();
          throw error;
        }
      },
    },
    {
      name: 'aedes',
      start: async () => ({ broker: await startPlainAedesProcess({ nodeArgs }), fixture: plainFixture(sizes), hasAuth: false }),
    },
    ...(mosquittoPath === undefined
      ? []
      : [
          {
            name: 'mosquitto' as const,
            start: async () => ({ broker: await startMosquittoProcess(mosquittoPath), fixture: plainFixture(sizes), hasAuth: false }),
          },
        ]),
  ];
  return all.filter((b) => options.brokers.includes(b.name));
}

/** Typist `i` is a device of small-room member `i mod size`: a member of both rooms. */
async function connectTypists(broker: BrokerProcess, fixture: RoomsFixture, hasAuth: boolean, count: number): Promise<MqttClient[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const { userId } = fixture.members[i % fixture.smallRoomMembers]!;
      const deviceId = `typist-${i}`;
      return mqtt.connectAsync(broker.mqttUrl, {
        clientId: deviceClientId(userId, deviceId),
        ...(hasAuth ? { username: userId, password: await fixture.deviceToken(userId, deviceId) } : {}),
        protocolVersion: 4,
        clean: true,
        reconnectPeriod: 0,
        keepalive: 600, // seconds: no PINGREQ inside a window
      });
    }),
  );
}

/** The platform stamps the sender into each event; the others get the stamped bytes it would deliver. */
const payloadsFor = (fixture: RoomsFixture, hasAuth: boolean) =>
  STATES.map((state) => encodeTyping({ state, userId: hasAuth ? '' : fixture.members[0]!.userId }));

async function runBroker(options: BrokerBenchOptions, under: BrokerUnderTest, run: number): Promise<RunResult> {
  process.stderr.write(`\nrun ${run}: ${under.name}\n`);
  const { broker, fixture, hasAuth } = await under.start();
  const tag = `[${broker.label}]`;
  try {
    const devices = fleetDevices(fixture, hasAuth);
    progress(`${tag} connecting ${devices.length} member devices and ${options.typists} typists...`);
    const fleet = await startFleet(broker.mqttUrl, devices, FLEET_THREADS, () => undefined);
    const typists = await connectTypists(broker, fixture, hasAuth, options.typists);
    try {
      const windowMs = options.windowSeconds * 1000;
      progress(`${tag} idle baseline, ${options.windowSeconds} s`);
      const onProgress = (line: string) => progress(`${tag} ${line}`);
      const idle = await measureIdle({ broker, fleet, typist: typists[0]!, onProgress }, windowMs);
      const payloads = payloadsFor(fixture, hasAuth);
      const saturated = (label: string, topic: string, members: number) =>
        measureSaturatedPhase(
          { broker, fleet, typists, onProgress },
          { label, topic, members, payloads, inFlightDeliveries: options.inFlightDeliveries },
          windowMs,
          idle,
        );
      const small = typingTopic(fixture.smallRoomId);
      const phases = [
        await saturated(`room of ${options.smallRoomMembers}, saturated`, small, options.smallRoomMembers),
        await saturated(`room of ${options.largeRoomMembers}, saturated`, typingTopic(fixture.largeRoomId), options.largeRoomMembers),
        await measureRelayPhase(
          { broker, fleet, typist: typists[0]!, onProgress },
          {
            label: `room of ${options.smallRoomMembers}, ${(options.fixedEventsPerSecond * options.smallRoomMembers).toLocaleString('en-US')} deliveries/s`,
            topic: small,
            members: options.smallRoomMembers,
            eventsPerSecond: options.fixedEventsPerSecond,
            payloads,
          },
          windowMs,
          idle,
        ),
      ];
      for (const p of phases) progress(`${tag} ${p.label}: ${fmt(perDelivery(p))} µs/delivery`);
      return { name: under.name, label: broker.label, phases };
    } finally {
      await Promise.all(typists.map((t) => t.endAsync()));
      await fleet.close();
    }
  } finally {
    await broker.stop();
  }
}

const perDelivery = (p: RelayPhaseResult) => p.netCpuMicros / p.deliveries;
const fmt = (n: number | undefined, digits = 2) => (n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits));
const int = (n: number) => Math.round(n).toLocaleString('en-US');

function printReport(options: BrokerBenchOptions, results: RunResult[], skipped: string | undefined): void {
  const names = [...new Set(results.map((r) => r.name))];
  const labelOf = (name: BrokerName) => results.find((r) => r.name === name)!.label;
  const phaseLabels = results[0]!.phases.map((p) => p.label);
  const cell = (name: BrokerName, i: number) => {
    const runs = results.filter((r) => r.name === name).map((r) => r.phases[i]!);
    return {
      micros: median(runs.map(perDelivery)),
      rate: median(runs.map((p) => (p.deliveries * 1000) / p.windowMs)),
      lost: runs.reduce((sum, p) => sum + Math.max(0, p.expectedDeliveries - p.deliveries), 0),
      fleet: Math.max(...runs.map((p) => p.fleetLoopUtilization)),
    };
  };
  console.log(
    `\nbench:broker: broker CPU per delivery (µs, user+system less idle; median of ${options.runs} run${options.runs > 1 ? 's' : ''}), typing relay at QoS 0`,
  );
  console.log(`  ${'phase'.padEnd(36)}${names.map((n) => labelOf(n).padEnd(30)).join('')}platform/Aedes  target <= ${TARGET_RATIO}x`);
  for (const [i, label] of phaseLabels.entries()) {
    const cells = names.map((n) => cell(n, i));
    const text = cells.map((c) => `${fmt(c.micros)} (${int(c.rate)}/s${c.lost > 0 ? `, ${int(c.lost)} lost` : ''})`.padEnd(30)).join('');
    const platform = names.includes('platform') ? cell('platform', i).micros : undefined;
    const aedes = names.includes('aedes') ? cell('aedes', i).micros : undefined;
    const ratio = platform !== undefined && aedes !== undefined ? platform / aedes : undefined;
    const verdict = ratio === undefined ? '' : ratio <= TARGET_RATIO ? 'met' : 'MISSED';
    console.log(`  ${label.padEnd(36)}${text}${`${fmt(ratio)}x`.padEnd(16)}${verdict}`);
  }
  const busiest = Math.max(...names.flatMap((n) => phaseLabels.map((_, i) => cell(n, i).fleet)));
  console.log(
    `  (x/s: deliveries per second reached; "lost": deliveries that never arrived. Busiest fleet thread ${(busiest * 100).toFixed(0)}% busy:` +
      ` near 100% the receiving devices, not the broker, set the saturated pace; CPU per delivery stays comparable.)`,
  );
  if (skipped !== undefined) console.log(`  Mosquitto skipped: ${skipped}`);
}

async function main(): Promise<void> {
  let options: BrokerBenchOptions;
  try {
    options = parseBrokerBenchArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const found = options.brokers.includes('mosquitto') ? await findMosquitto() : { missing: 'not asked for (--only)' };
  const mosquittoPath = 'path' in found ? found.path : undefined;
  const skipped = 'missing' in found && options.brokers.includes('mosquitto') ? found.missing : undefined;
  if (skipped !== undefined) progress(`Mosquitto skipped: ${skipped}`);
  const brokers = brokersUnderTest(options, mosquittoPath);
  const results: RunResult[] = [];
  for (let run = 1; run <= options.runs; run++) for (const under of brokers) results.push(await runBroker(options, under, run));
  printReport(options, results, skipped);
}

main().catch((error: unknown) => {
  console.error('bench:broker failed:', error);
  process.exitCode = 1;
});
