/**
 * The durable path at the database limit (issue 12, point 5): the send pipeline the broker hands
 * sends to (decode, rate limit, validate, batch, the sequencing transaction, encoding the Message
 * and the Ack) fed straight by feeders, with the broker removed: no MQTT parsing, no sockets, no
 * fan-out (what the pipeline publishes after a commit is encoded and dropped). Its acked msgs/s
 * next to the raw ceiling of the same database says how much of the gap between the durable
 * path and the database is the broker's and how much is sequencing and storage.
 *
 * The feeders are async loops in this process sharing the fixture's members and rooms, with as
 * many sends in flight as the MQTT phases keep, so the load is the one those phases offer. A feeder only
 * encodes a Send (about a microsecond), which is charged to the pipeline's thread; with PGlite
 * the database runs on its own thread as in the platform.
 */
import { randomBytes } from 'node:crypto';
import { createSendPipeline, sendPipelineOptions } from '../bridge/index.js';
import type { Config } from '../lib/config.js';
import { silentLogger } from '../lib/log.js';
import { createMetrics } from '../lib/metrics.js';
import { encodeSend } from '../schema/index.js';
import type { Db } from '../store/index.js';
import type { ClientSpec } from './load-protocol.js';
import { summarizeLatencies, type LatencySummary } from './stats.js';

const PROGRESS_INTERVAL_MS = 1_000;

export interface PipelineOnlyOptions {
  feeders: number;
  /** Sends each feeder keeps in flight, taking turns over its clients. */
  windowPerFeeder: number;
  bodyBytes: number;
  warmupMs: number;
  measureMs: number;
  onProgress(elapsedMs: number, ackedTotal: number, ackedLastSecond: number): void;
}

export interface PipelineOnlyResult {
  feeders: number;
  inFlight: number;
  acked: number;
  ackedMsgsPerSec: number;
  /** Sends answered with anything but stored: none is expected (a non-zero count means the figure is wrong). */
  refused: number;
  /** handlePayload call to its result (the commit included). */
  sendToAck: LatencySummary;
  meanBatchSize: number;
}

/** The platform's pipeline settings (batching from the environment as in the fixture), on `db`, with a publisher that drops what it is given. */
export async function measurePipelineOnly(
  db: Db,
  config: Config,
  clients: readonly ClientSpec[],
  options: PipelineOnlyOptions,
): Promise<PipelineOnlyResult> {
  const metrics = createMetrics({ defaultMetrics: false });
  const pipeline = createSendPipeline(
    { db, publisher: { publish: () => Promise.resolve() }, log: silentLogger(), metrics },
    sendPipelineOptions(config),
  );
  const runTag = randomBytes(4).toString('hex');
  const body = randomBytes(options.bodyBytes);
  const startMs = performance.now();
  const measureFromMs = startMs + options.warmupMs;
  const endMs = measureFromMs + options.measureMs;
  const latenciesMs: number[] = [];
  let acked = 0;
  let ackedAll = 0;
  let refused = 0;
  let sent = 0;
  let progressAtMs = startMs + PROGRESS_INTERVAL_MS;
  let ackedAtProgress = 0;

  async function lane(feeder: number, slot: number): Promise<void> {
    // Feeder f takes the clients f, f + feeders, ...; its slots take turns over them.
    const mine = clients.filter((_, i) => i % feeders === feeder);
    let turn = slot;
    while (performance.now() < endMs) {
      const client = mine[turn % mine.length]!;
      turn += options.windowPerFeeder;
      const clientMsgId = `p-${runTag}-${sent++}`;
      const payload = encodeSend({ roomId: client.roomId, clientMsgId, roomVersion: client.roomVersion, body, contentType: '' });
      const beforeMs = performance.now();
      const result = await pipeline.handlePayload({ userId: client.userId, deviceId: client.deviceId }, payload);
      const afterMs = performance.now();
      if (result?.status !== 'stored') refused += 1;
      else {
        ackedAll += 1;
        if (beforeMs >= measureFromMs && afterMs <= endMs) {
          acked += 1;
          latenciesMs.push(afterMs - beforeMs);
        }
      }
      if (afterMs >= progressAtMs) {
        options.onProgress(afterMs - startMs, ackedAll, ackedAll - ackedAtProgress);
        ackedAtProgress = ackedAll;
        progressAtMs += PROGRESS_INTERVAL_MS;
      }
    }
  }

  const feeders = Math.min(options.feeders, clients.length); // every feeder has a client of its own
  const lanes: Promise<void>[] = [];
  for (let f = 0; f < feeders; f++) for (let s = 0; s < options.windowPerFeeder; s++) lanes.push(lane(f, s));
  await Promise.all(lanes);
  await pipeline.drain();
  const batches = (await metrics.sendBatchSize.get()).values;
  const batchSum = batches.find((v) => v.metricName?.endsWith('_sum'))?.value ?? Number.NaN;
  const batchCount = batches.find((v) => v.metricName?.endsWith('_count'))?.value ?? Number.NaN;
  return {
    feeders,
    inFlight: lanes.length,
    acked,
    ackedMsgsPerSec: acked / (options.measureMs / 1000),
    refused,
    sendToAck: summarizeLatencies(latenciesMs),
    meanBatchSize: batchSum / batchCount,
  };
}
