/**
 * Runs one batch of one target on a session: cases spread over lanes (lane = index mod lanes,
 * each lane one case at a time, so a lane's device is never used twice at once), plus, for the
 * protobuf target, an honest member sending alongside.
 */
import type { GeneratorContext, KnownDefect } from '../generators/world.js';
import type { CaseResult } from './case-result.js';
import { restoreMembership } from './platform.js';
import { createLaneClient, startHonestSender, type HonestSender } from './proto-driver.js';
import type { Session } from './session.js';
import { prepareCase, type CaseEnvironment, type PreparedCase, type TargetName } from './targets.js';

/** Honest sends in flight together during a protobuf batch. */
const HONEST_IN_FLIGHT = 4;
/** How long an honest send may wait for its Ack: generous, as a loaded CI machine commits slowly. */
const HONEST_ACK_LIMIT_MS = 10_000;

export interface BatchSpec {
  target: TargetName;
  seed: number;
  indices: readonly number[];
  lanes: number;
  knownDefects: ReadonlySet<KnownDefect>;
  waitMs: number;
}

export interface BatchResult {
  results: Map<number, CaseResult>;
  skipped: number;
  /** Problems of the honest sender (protobuf target), each with the cases in flight when it was refused. */
  honestProblems: string[];
}

/**
 * Keeps honest sends going (a few in flight at once, so they share batches with the attacker's)
 * until `isDone()`; resolves with what refused one, and the cases in flight at that moment.
 */
async function sendHonestly(honest: HonestSender, isDone: () => boolean, inFlight: ReadonlySet<number>): Promise<string[]> {
  for (let round = 0; !isDone() || round < 1; round += 1) {
    const during = [...inFlight].sort((a, b) => a - b);
    const problems = (await Promise.all(Array.from({ length: HONEST_IN_FLIGHT }, () => honest.sendOne()))).filter((p) => p !== undefined);
    if (problems.length > 0)
      return [`${problems.length} of ${HONEST_IN_FLIGHT} refused: ${problems[0]} (cases in flight: ${during.join(', ') || 'none'})`];
  }
  return [];
}

/** Runs each lane's cases one after another, the lanes side by side. */
async function runLanes(
  lanes: readonly PreparedLane[],
  environment: CaseEnvironment,
  inFlight: Set<number>,
): Promise<Map<number, CaseResult>> {
  const results = new Map<number, CaseResult>();
  await Promise.all(
    lanes.map(async (lane) => {
      for (const { index, fuzzCase } of lane) {
        inFlight.add(index);
        const result = await fuzzCase
          .run(environment)
          .catch((error: unknown) => ({ outcome: `harness error: ${(error as Error).message}` }));
        results.set(index, result);
        inFlight.delete(index);
      }
    }),
  );
  return results;
}

type PreparedLane = { index: number; fuzzCase: PreparedCase }[];

export async function runBatch(session: Session, spec: BatchSpec): Promise<BatchResult> {
  const { platform } = session;
  const roomVersion = await restoreMembership(platform);
  const context: GeneratorContext = { world: { ...platform.world, roomVersion }, knownDefects: spec.knownDefects };
  const prepared = spec.indices.map((index) => ({
    index,
    fuzzCase: prepareCase(spec.target, spec.seed, index, context, session.operations),
  }));
  const runnable = prepared.filter((p) => p.fuzzCase.knownDefect === undefined);
  const lanes = Array.from({ length: spec.lanes }, (_, lane) => runnable.filter((p) => p.index % spec.lanes === lane));
  const mqttUrl = `mqtt://127.0.0.1:${platform.ports.mqtt}`;
  const isProto = spec.target === 'proto';
  const laneClients = isProto ? platform.world.attackerDevices.map((device) => createLaneClient(mqttUrl, device, spec.waitMs)) : [];
  const environment: CaseEnvironment = { ports: platform.ports, context, operations: session.operations, laneClients, waitMs: spec.waitMs };
  const inFlight = new Set<number>();
  let lanesDone = false;
  const honest = isProto ? await startHonestSender(mqttUrl, platform.world, roomVersion, HONEST_ACK_LIMIT_MS) : undefined;
  const honestProblems = honest === undefined ? Promise.resolve([]) : sendHonestly(honest, () => lanesDone, inFlight);
  try {
    const results = await runLanes(lanes, environment, inFlight);
    lanesDone = true;
    return { results, skipped: prepared.length - runnable.length, honestProblems: await honestProblems };
  } finally {
    lanesDone = true;
    await honestProblems;
    await honest?.close();
    await Promise.all(laneClients.map((client) => client.close()));
  }
}
