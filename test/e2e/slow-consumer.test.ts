/**
 * Fault isolation: a member who subscribes to her room and stops reading her socket, then fills
 * that room, must not delay anyone else. Canaries in other rooms keep sending and receiving the
 * whole time; their send→delivery p99 must stay under 100 ms and every Ack must arrive, while
 * the stalled connection is disconnected by the broker (only it; she goes offline). Before the
 * outgoing cap, Aedes waited for the stalled socket to drain before releasing each delivery, its
 * emitter holds 100 messages in flight for all clients together, and everything stopped for
 * about 50 s (measured: canary p50 29.8 s, p99 58.7 s).
 *
 * The one test here that asserts a latency, so it is built to measure the broker and little
 * else: the platform runs in its own process (the test's clients, flood and garbage do not share
 * its event loop), canaries turn Nagle off (MQTT.js leaves it on, and a send queued behind an
 * unacknowledged PUBACK waits out the broker's 40 ms delayed ACK), both the canaries and the
 * flood warm up before anything is measured, and the p99 is over hundreds of samples. The bound
 * is far above what the platform does here and far below the stall.
 */
import { EventEmitter, once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeInboxItem,
  decodeMessage,
  decodePresence,
  encodeSend,
  parseTopic,
  presenceTopic,
  roomTopic,
  sendTopic,
} from '../../schema/index.js';
import { TestDevice } from '../support/device.js';
import { spawnPlatform, type PlatformProcess } from '../support/platform-process.js';
import { subscribeOverTcp, subscribeOverWebSocket, type RawConnectOptions, type StalledSubscriber } from '../support/raw-mqtt.js';
import { rest } from '../support/rest-client.js';
import { backendAvailable, createTestDatabase } from '../support/backends.js';

const ADMIN_TOKEN = 'slow-consumer-admin-token';
const CANARIES = 3;
const CANARY_INTERVAL_MS = 30;
const CANARY_WARM_UP_SENDS = 20;
const FLOOD_WARM_UP_SENDS = 30;
/**
 * At most one flood send per this many ms. The stall does not depend on the pace (the stalled
 * socket's buffers fill at any rate), while a flood at the database's full speed would make the
 * canaries measure the machine's spare CPU rather than the broker.
 */
const FLOOD_PACE_MS = 20;
const ATTACK_ROUNDS = 3;
const P99_LIMIT_MS = 100;
/**
 * Flood bodies: large, so the stalled socket's buffers (about 4 MB of them in the kernel on
 * loopback, then the cap) fill after a few dozen sends, which keeps the flood's own cost (a
 * request and a transaction per send) from drowning the canaries on a small machine.
 */
const FLOOD_BODY = Buffer.alloc(32 * 1024, 'x');
const MIN_SAMPLES = 400;
/** A round that has not cut the stalled connection after this long has failed (the old broker held it about 60 s). */
const ROUND_LIMIT_MS = 20_000;

let platform: PlatformProcess;
let wsUrl: string;
let dataDir: string;
let database: { url: string; drop(): Promise<void> } | undefined;
const postgres = await backendAvailable('postgres');
beforeAll(async () => {
  if (!postgres) return;
  dataDir = await mkdtemp(join(tmpdir(), 'chat-slow-consumer-'));
  database = await createTestDatabase();
  // The database in its own process, committing without waiting for the disk: the flood's writes
  // then cost the platform's event loop little (embedded PGlite runs them on it), and fsync
  // stalls do not show up as broker latency.
  const url = new URL(database.url);
  url.searchParams.set('options', '-c synchronous_commit=off');
  platform = await spawnPlatform({
    DATABASE_URL: url.toString(),
    ADMIN_TOKEN,
    JWT_SECRET: 'slow-consumer-jwt-secret-0123456789abcdef',
    DATA_DIR: dataDir,
    // A smaller cap than the default only makes each round shorter; the mechanism is the same.
    MAX_OUTGOING_BYTES: String(512 * 1024),
    // The flood comes from one device: its send rate limit would otherwise be the defence under test.
    SEND_RATE_PER_SECOND: '100000',
    SEND_BURST: '100000',
  });
  wsUrl = /MQTT over WebSocket\s+(ws:\/\/\S+)/.exec(platform.output())![1]!;
});
afterAll(async () => {
  await platform?.stop('SIGTERM');
  await database?.drop();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

const admin = async (method: string, path: string, body?: unknown) => {
  const r = await rest(platform.apiUrl, ADMIN_TOKEN, method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
};
const createUser = async (name: string): Promise<string> => (await admin('POST', '/v1/users', { name })).id;
const tokenFor = async (userId: string, deviceId = 'phone'): Promise<string> =>
  (await admin('POST', '/v1/tokens', { userId, deviceId })).token;
const createRoom = async (members: string[]): Promise<{ id: string; memberVersion: number }> =>
  admin('POST', '/v1/rooms', { name: 'r', kind: 'group', members });

/** chat_mqtt_disconnects_total{reason="outgoing_bytes"} as the platform's /metrics shows it. */
async function slowConsumerDisconnects(): Promise<number> {
  const text = await (await fetch(`${platform.apiUrl}/metrics`)).text();
  return Number(/^chat_mqtt_disconnects_total\{reason="outgoing_bytes"\} (\d+)$/m.exec(text)?.[1] ?? 0);
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

interface Canaries {
  /** Starts counting samples (after the warm-up). */
  measure(): void;
  samples(): number;
  stop(): Promise<{ latenciesMs: number[]; sent: number; acked: number }>;
}

/** Canaries, each alone in its own room, sending every CANARY_INTERVAL_MS and timing send→delivery of their own message. */
async function startCanaries(): Promise<Canaries> {
  const canaries = await Promise.all(
    Array.from({ length: CANARIES }, async (_, i) => {
      const userId = await createUser(`canary-${i}`);
      const room = await createRoom([userId]);
      const device = await TestDevice.connect(platform.mqttUrl, userId, 'phone', await tokenFor(userId));
      await device.joinRoom(room.id);
      (device.client.stream as Socket).setNoDelay(true);
      return { userId, room, device };
    }),
  );
  const sentAt = new Map<string, number>();
  const latenciesMs: number[] = [];
  const acked = new Set<string>();
  for (const { device } of canaries) {
    device.client.on('message', (topic, payload) => {
      const kind = parseTopic(topic)?.kind;
      if (kind === 'room') {
        const start = sentAt.get(decodeMessage(payload).clientMsgId);
        if (start !== undefined) latenciesMs.push(performance.now() - start);
      } else if (kind === 'inbox') {
        const item = decodeInboxItem(payload);
        if ('ack' in item && sentAt.has(item.ack.clientMsgId)) acked.add(item.ack.clientMsgId);
      }
    });
  }
  let n = 0;
  let measuring = false;
  const timer = setInterval(() => {
    for (const { userId, room, device } of canaries) {
      const clientMsgId = `${userId}-${n}`;
      const send = { roomId: room.id, clientMsgId, roomVersion: room.memberVersion, body: Buffer.from('ping'), contentType: '' };
      if (measuring) sentAt.set(clientMsgId, performance.now());
      device.client.publish(sendTopic(userId), Buffer.from(encodeSend(send)), { qos: 1 });
    }
    n += 1;
  }, CANARY_INTERVAL_MS);
  // The first sends of a fresh platform pay for cold caches and compiled code paths.
  await Promise.all(canaries.map(({ device, userId }) => device.waitForAck(`${userId}-${CANARY_WARM_UP_SENDS}`)));
  return {
    measure: () => void (measuring = true),
    samples: () => latenciesMs.length,
    async stop() {
      clearInterval(timer);
      // Every canary send gets its Ack: await them with a deadline.
      const deadline = performance.now() + 10_000;
      while (acked.size < sentAt.size && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      await Promise.all(canaries.map(({ device }) => device.close()));
      return { latenciesMs, sent: sentAt.size, acked: acked.size };
    },
  };
}

interface Attacker {
  userId: string;
  token: string;
  room: { id: string; memberVersion: number };
}
/** Fills the attacker's room until `until` settles, or `count` sends have been committed. */
type Flood = (attacker: Attacker, round: string, stop: { until?: Promise<void>; count?: number }) => Promise<void>;

const floodUntil = async (stop: { until?: Promise<void>; count?: number }, sendOne: (i: number) => Promise<void>) => {
  let done = false;
  stop.until?.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; !done && i < (stop.count ?? Infinity); i += 1) {
    await Promise.all([sendOne(i), new Promise((resolve) => setTimeout(resolve, FLOOD_PACE_MS))]);
  }
};

/** REST sends with her own token, one at a time (each answered after its commit). */
const floodOverRest: Flood = (attacker, round, stop) => {
  const body = FLOOD_BODY.toString('base64');
  return floodUntil(stop, async (i) => {
    const r = await rest(platform.apiUrl, attacker.token, 'POST', `/v1/rooms/${attacker.room.id}/messages`, {
      clientMsgId: `flood-${round}-${i}`,
      roomVersion: attacker.room.memberVersion,
      body,
    });
    if (r.status !== 201) throw new Error(`flood send: ${r.status} ${JSON.stringify(r.json)}`);
  });
};

/**
 * One round after another: she connects, subscribes, stops reading, and her room is flooded until
 * the broker cuts her off (seen by a room peer: her presence goes offline), all while canaries run.
 */
async function attack(
  connectStalled: (options: RawConnectOptions, topic: string) => Promise<StalledSubscriber>,
  makeFlood: (attacker: Attacker) => Promise<Flood>,
): Promise<{ p50: number; p99: number; samples: number; sent: number; acked: number; disconnects: number }> {
  const userId = await createUser('stalled');
  const watcherId = await createUser('watcher');
  const attacker: Attacker = { userId, token: await tokenFor(userId), room: await createRoom([userId, watcherId]) };
  const watcher = await TestDevice.connect(platform.mqttUrl, watcherId, 'phone', await tokenFor(watcherId));
  await watcher.client.subscribeAsync(presenceTopic(userId), { qos: 0 });
  const presence: boolean[] = [];
  const presenceUpdates = new EventEmitter();
  watcher.client.on('message', (topic, payload) => {
    if (topic !== presenceTopic(userId)) return;
    presence.push(decodePresence(payload).online);
    presenceUpdates.emit('update');
  });
  /** Resolves on her first presence `online` after the `seen`th update (no deadline: each round has its own). */
  const presenceAfter = async (seen: number, online: boolean) => {
    while (!presence.slice(seen).includes(online)) await once(presenceUpdates, 'update');
  };
  const flood = await makeFlood(attacker);
  const countedBefore = await slowConsumerDisconnects();
  await flood(attacker, 'warm-up', { count: FLOOD_WARM_UP_SENDS });
  const canaries = await startCanaries();
  let disconnects = 0;
  let result: Awaited<ReturnType<Canaries['stop']>>;
  try {
    canaries.measure();
    for (let round = 0; round < ATTACK_ROUNDS || canaries.samples() < MIN_SAMPLES; round += 1) {
      const seen = presence.length;
      const stalled = await connectStalled({ userId, deviceId: 'phone', token: attacker.token }, roomTopic(attacker.room.id));
      await presenceAfter(seen, true);
      const offline = presenceAfter(presence.length, false);
      stalled.stopReading();
      const limit = new Promise<never>((_, reject) =>
        setTimeout(
          () => reject(new Error(`round ${round}: stalled connection still open after ${ROUND_LIMIT_MS} ms`)),
          ROUND_LIMIT_MS,
        ).unref(),
      );
      const roundOver = Promise.race([offline, limit]);
      await Promise.all([roundOver, flood(attacker, String(round), { until: roundOver })]);
      disconnects += 1;
      stalled.destroy();
    }
  } finally {
    result = await canaries.stop();
    await watcher.close();
  }
  const sorted = [...result.latenciesMs].sort((a, b) => a - b);
  // Each cut-off was the outgoing cap, counted with its reason.
  expect(await slowConsumerDisconnects()).toBe(countedBefore + disconnects);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    samples: sorted.length,
    sent: result.sent,
    acked: result.acked,
    disconnects,
  };
}

// A retry absorbs a machine so busy that even an idle broker misses 100 ms (two cores shared with
// other suites); the stall this test exists for fails every attempt, each at its round limit.
describe.skipIf(!postgres)('a subscriber that stops reading', { retry: 2 }, () => {
  it('over TCP, flooding her room over REST, is disconnected while canaries in other rooms keep p99 < 100 ms', async () => {
    const result = await attack(
      (options, topic) => subscribeOverTcp(platform.mqttUrl, options, topic),
      async () => floodOverRest,
    );
    console.log(
      `slow consumer over TCP: canary send→delivery p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms (${result.samples} samples)`,
    );
    expect(result.disconnects).toBeGreaterThanOrEqual(ATTACK_ROUNDS);
    expect(result.acked).toBe(result.sent);
    expect(result.p99).toBeLessThan(P99_LIMIT_MS);
  }, 120_000);

  it('over WebSocket, her room flooded over MQTT by another member, is disconnected while canaries keep p99 < 100 ms', async () => {
    const devices: TestDevice[] = [];
    /** Another member sends over MQTT, one send in flight at a time (each PUBACK means committed). */
    const floodOverMqtt = async (attacker: Attacker): Promise<Flood> => {
      const senderId = await createUser('flooder');
      attacker.room.memberVersion = (await admin('POST', `/v1/rooms/${attacker.room.id}/members`, { userId: senderId })).memberVersion;
      const sender = await TestDevice.connect(platform.mqttUrl, senderId, 'phone', await tokenFor(senderId));
      devices.push(sender);
      return (target, round, stop) =>
        floodUntil(stop, async (i) => {
          const send = {
            roomId: target.room.id,
            clientMsgId: `mqtt-flood-${round}-${i}`,
            roomVersion: target.room.memberVersion,
            body: FLOOD_BODY,
            contentType: '',
          };
          await sender.client.publishAsync(sendTopic(senderId), Buffer.from(encodeSend(send)), { qos: 1 });
        });
    };
    const result = await attack((options, topic) => subscribeOverWebSocket(wsUrl, options, topic), floodOverMqtt).finally(() =>
      Promise.all(devices.map((d) => d.close())),
    );
    console.log(
      `slow consumer over WebSocket: canary send→delivery p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms (${result.samples} samples)`,
    );
    expect(result.disconnects).toBeGreaterThanOrEqual(ATTACK_ROUNDS);
    expect(result.acked).toBe(result.sent);
    expect(result.p99).toBeLessThan(P99_LIMIT_MS);
  }, 120_000);
});
