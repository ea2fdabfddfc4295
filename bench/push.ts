/**
 * Benchmark of the push path (docs/push.md#push-notifications): the platform in-process with the
 * real APNs and FCM clients sending to the local stubs (HTTP/2 and HTTP/1.1 on loopback),
 * recipients offline so every message is pushed at once.
 *   1. latency: messages paced at --rate; per push, from its message's commit (the send
 *      pipeline's answer) to the stub receiving it; p50/p99/max.
 *   2. throughput: --burst messages committed at once; pushes per second the worker drains,
 *      from the first commit to the last push received.
 * Stubs, platform and load share this process (and the machine's cores): a lower bound.
 * Run: npm run bench:push -- [--rooms 20 --members 4 --rate 20 --seconds 10 --burst 1000 ...]
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../lib/config.js';
import { silentLogger } from '../lib/log.js';
import { createMetrics } from '../lib/metrics.js';
import { startPlatform, type Platform } from '../platform/platform.js';
import { startLocalPushStubs } from '../platform/push-providers.js';
import { createRoom, createUser, registerPushToken } from '../store/index.js';
import { openBenchDatabase } from './backends.js';
import { PUSH_USAGE, parsePushBenchArgs, type PushBenchOptions } from './push-args.js';
import { summarizeLatencies } from './stats.js';

const SECRETS = { jwtSecret: 'bench-jwt-secret-bench-jwt-secret-0123456789', adminToken: 'bench-admin-token-0123' };
const DRAIN_LIMIT_MS = 120_000;

interface Room {
  id: string;
  senderId: string;
}

/** Push arrivals at the stubs, keyed `roomId:seq`. */
interface Arrivals {
  times(): { key: string; receivedAtMs: number }[];
  /** Resolves once this many pushes per message arrived for `messages` messages. */
  waitFor(messages: number): Promise<void>;
  clear(): void;
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  let options: PushBenchOptions;
  try {
    options = parsePushBenchArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${PUSH_USAGE}\n`);
    process.exit(2);
  }
  const opened = await openBenchDatabase(options.backend);
  if (opened.status === 'skipped') throw new Error(opened.reason);
  const database = opened.database;
  const stubs = await startLocalPushStubs({ requestTimeoutMs: 10_000, maxDeliveries: 10_000_000 });
  const config = loadConfig({
    MQTT_PORT: '0',
    WS_PORT: '0',
    API_PORT: '0',
    LOG_LEVEL: 'silent',
    PUSH_CONCURRENCY: String(options.concurrency),
    // The burst sends 50 messages per room and sender at once: beyond a person's send rate, which the limit is for.
    SEND_RATE_PER_SECOND: '100000',
    SEND_BURST: '100000',
  });
  const platform = await startPlatform(config, {
    db: database.db,
    secrets: SECRETS,
    log: silentLogger(),
    metrics: createMetrics(),
    pushProviders: stubs.providers,
  });
  try {
    process.stdout.write(
      `push benchmark: ${database.label} (${database.detail}); ${options.rooms} rooms x ${options.members} offline recipients (half APNs, half FCM); ` +
        `PUSH_CONCURRENCY ${options.concurrency} per provider; stubs, platform and load in one process\n\n`,
    );
    const rooms = await provision(platform, options);
    const apnsPerMessage = Math.ceil(options.members / 2);
    const { apnsStub, fcmStub } = stubs;
    const arrivals: Arrivals = {
      times: () => [
        ...apnsStub.deliveries
          .list()
          .map((d) => ({ key: `${String(d.payload['roomId'])}:${String(d.payload['seq'])}`, receivedAtMs: d.receivedAtMs })),
        ...fcmStub.deliveries
          .list()
          .map((d) => ({ key: `${d.message.data?.['roomId']}:${d.message.data?.['seq']}`, receivedAtMs: d.receivedAtMs })),
      ],
      async waitFor(messages) {
        const timeoutMs = DRAIN_LIMIT_MS;
        await Promise.all([
          apnsStub.deliveries.waitFor(messages * apnsPerMessage, { timeoutMs }),
          fcmStub.deliveries.waitFor(messages * (options.members - apnsPerMessage), { timeoutMs }),
        ]);
      },
      clear() {
        apnsStub.deliveries.clear();
        fcmStub.deliveries.clear();
      },
    };
    // Not measured: opens the provider connections, fetches the FCM access token, warms the JIT.
    await Promise.all(rooms.map((room, i) => send(platform, room, -1 - i)));
    await arrivals.waitFor(rooms.length);
    arrivals.clear();
    await latencyPhase(platform, rooms, arrivals, options);
    arrivals.clear();
    await throughputPhase(platform, rooms, arrivals, options);
  } finally {
    await platform.close();
    await stubs.close();
    await database.close();
  }
}

/** Rooms of one sender and `members` recipients, each recipient with a push token and no connection. */
async function provision(platform: Platform, options: PushBenchOptions): Promise<Room[]> {
  const rooms: Room[] = [];
  for (let r = 0; r < options.rooms; r += 1) {
    const sender = await createUser(platform.db, { name: `sender ${r}` });
    const members = [];
    for (let m = 0; m < options.members; m += 1) {
      const member = await createUser(platform.db, { name: `member ${r}.${m}` });
      const isApns = m % 2 === 0;
      const token = isApns ? randomBytes(32).toString('hex') : `bench:${randomBytes(100).toString('base64url')}`;
      await registerPushToken(platform.db, {
        userId: member.id,
        deviceId: 'phone',
        platform: isApns ? 'apns' : 'fcm',
        token,
        registeredAtMs: Date.now(),
      });
      members.push(member.id);
    }
    const room = await createRoom(platform.db, { kind: 'group', name: `bench ${r}`, memberIds: [sender.id, ...members] });
    rooms.push({ id: room.id, senderId: sender.id });
  }
  return rooms;
}

/** Commits one message through the send pipeline; resolves with its key and commit time. */
async function send(platform: Platform, room: Room, i: number): Promise<{ key: string; committedAtMs: number }> {
  const result = await platform.sends.handleSend(
    { userId: room.senderId, deviceId: 'bench' },
    {
      roomId: room.id,
      clientMsgId: `b${i}-${randomBytes(4).toString('hex')}`,
      roomVersion: 1,
      body: Buffer.from(`bench message ${i}: lunch at noon?`),
      contentType: 'text/plain',
    },
  );
  if (result.status === 'rejected') throw new Error(`send rejected: ${result.nack.detail}`);
  return { key: `${room.id}:${result.message.seq}`, committedAtMs: Date.now() };
}

async function latencyPhase(platform: Platform, rooms: Room[], arrivals: Arrivals, options: PushBenchOptions): Promise<void> {
  const messages = Math.max(1, Math.round(options.rateMsgsPerSec * options.seconds));
  const intervalMs = 1000 / options.rateMsgsPerSec;
  const startMs = performance.now();
  const commits = new Map<string, number>();
  const sends: Promise<void>[] = [];
  for (let i = 0; i < messages; i += 1) {
    const waitMs = startMs + i * intervalMs - performance.now();
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    sends.push(send(platform, rooms[i % rooms.length]!, i).then(({ key, committedAtMs }) => void commits.set(key, committedAtMs)));
  }
  await Promise.all(sends);
  await arrivals.waitFor(messages);
  const latencies = arrivals.times().map(({ key, receivedAtMs }) => receivedAtMs - commits.get(key)!);
  const summary = summarizeLatencies(latencies);
  process.stdout.write(
    `1 latency, ${fmt(options.rateMsgsPerSec)} msg/s for ${fmt(options.seconds)} s (${fmt(messages)} messages, ${fmt(summary.count)} pushes)\n` +
      `  commit -> stub receipt   p50 ${fmt(summary.p50Ms, 1)} ms   p99 ${fmt(summary.p99Ms, 1)} ms   max ${fmt(summary.maxMs, 1)} ms\n\n`,
  );
}

async function throughputPhase(platform: Platform, rooms: Room[], arrivals: Arrivals, options: PushBenchOptions): Promise<void> {
  const firstCommit = Date.now();
  const commits = await Promise.all(Array.from({ length: options.burst }, (_, i) => send(platform, rooms[i % rooms.length]!, i)));
  const lastCommit = Math.max(...commits.map((c) => c.committedAtMs));
  const expected = options.burst * options.members;
  await arrivals.waitFor(options.burst);
  const times = arrivals.times().map((t) => t.receivedAtMs);
  const lastPush = Math.max(...times);
  const seconds = (lastPush - firstCommit) / 1000;
  const sent = platform.metrics.pushes;
  const retried = (await sent.get()).values.filter((v) => v.labels['status'] === 'pending').reduce((sum, v) => sum + v.value, 0);
  process.stdout.write(
    `2 throughput, ${fmt(options.burst)} messages committed at once (${fmt(expected)} pushes)\n` +
      `  commits took ${fmt((lastCommit - firstCommit) / 1000, 2)} s; last push ${fmt(seconds, 2)} s after the first commit\n` +
      `  worker throughput        ${fmt(expected / seconds)} pushes/s   (retries during the run: ${fmt(retried)})\n`,
  );
}

await main();
