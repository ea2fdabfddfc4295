/**
 * A herd worker (a child process of `bench/reconnect.ts`): holds its share of the phones,
 * switches their retry policy between rounds, counts what happens in each round, and sends
 * live sessions' probe sends, each of which must be acked while the others reconnect.
 */
import { createSeededRandom } from '../devtools/index.js';
import type { BackoffOptions } from '@mqtt-chat/sdk';
import { BACKOFF, createHerdClient, type HerdClient } from './reconnect-client.js';
import { emptyCounters, type FromWorker, type RoundCounters, type RoundStats, type ToWorker } from './reconnect-protocol.js';

if (process.send === undefined) throw new Error('reconnect-worker.ts runs as a child process of bench/reconnect.ts');
const post = (message: FromWorker): void => void process.send!(message);

const PROGRESS_EVERY_MS = 500;
const PROBE_EVERY_MS = 200;
const PROBE_LIMIT_MS = 10_000;
const SLOT_MS = 100;

/** The clients' shared backoff options: switching policy is changing this object's fields. */
const backoff: BackoffOptions = { ...BACKOFF.jitter };
let clients: HerdClient[] = [];
let counters: RoundCounters = emptyCounters();
let backPerSlot: Record<string, number> = {};
let attemptsPerSlot: Record<string, number> = {};
let lastBackAtMs = 0;
let probeAckMs: number[] = [];
/** Clients back in the current round, and when: a loss of one of these is a session dropped after it was back. */
let backThisRound = new Map<string, number>();
let drops: RoundStats['drops'] = [];
/** Clients that abandoned an attempt this round because no CONNACK came within the SDK's connect timeout. */
let timedOutThisRound = new Set<string>();
const probes = new Map<string, { sentAtMs: number; clientId: string }>();
let probeCount = 0;
let round = 0;

const bump = (table: Record<string, number>, key: string | number) => (table[key] = (table[key] ?? 0) + 1);

let random: () => number = Math.random;

/** The clients connect as they are created, as phones do on launch; progress says when all are in. */
function startClients(setup: Extract<ToWorker, { type: 'setup' }>): void {
  const { mqttUrl, stableAfterMs, connectTimeoutMs } = setup;
  random = createSeededRandom(setup.seed);
  clients = setup.clients.map((spec) => {
    const id = `${spec.userId}:${spec.deviceId}`;
    return createHerdClient(
      spec,
      { mqttUrl, stableAfterMs, connectTimeoutMs, random, backoff },
      {
        attempt(atMs) {
          counters.attempts += 1;
          bump(attemptsPerSlot, Math.floor(atMs / SLOT_MS));
        },
        back(atMs) {
          counters.back += 1;
          backThisRound.set(id, atMs);
          bump(backPerSlot, Math.floor(atMs / SLOT_MS));
          lastBackAtMs = Math.max(lastBackAtMs, atMs);
        },
        lost(atMs, reason) {
          const backAtMs = backThisRound.get(id);
          if (backAtMs === undefined) return;
          backThisRound.delete(id);
          counters.liveDropped += 1;
          drops.push({ backAtMs, lostAtMs: atMs, reason, afterConnectTimeout: timedOutThisRound.has(id) });
        },
        failed(code, why) {
          if (code === undefined) counters.networkFailures += 1;
          else bump(counters.refusals, code);
          if (why === 'connect_timeout') timedOutThisRound.add(id);
        },
        gaveUp: () => void (counters.gaveUp += 1),
        ackReceived(clientMsgId, atMs) {
          const probe = probes.get(clientMsgId);
          if (probe === undefined) return;
          probes.delete(clientMsgId);
          counters.probesAcked += 1;
          probeAckMs.push(atMs - probe.sentAtMs);
          if (probes.size === 0) probesSettled();
        },
      },
    );
  });
}

/** Counts the probes older than PROBE_LIMIT_MS (all of them with Infinity) as failed. */
function expireProbes(now: number): void {
  for (const [clientMsgId, probe] of probes) {
    if (now - probe.sentAtMs < PROBE_LIMIT_MS) continue;
    probes.delete(clientMsgId);
    // A probe lost with its session is that session's drop, counted already; one lost on a live session is a failure.
    if (backThisRound.has(probe.clientId)) counters.probesFailed += 1;
  }
}

/** One send from a client that is back in this round, so live sessions prove they are served. */
function sendProbe(): void {
  const now = Date.now();
  expireProbes(now);
  const live = clients.filter((c) => backThisRound.has(`${c.spec.userId}:${c.spec.deviceId}`) && c.isConnected());
  if (live.length === 0) return;
  const client = live[Math.floor(random() * live.length)]!;
  const clientMsgId = `probe-${process.pid}-${(probeCount += 1)}`;
  if (!client.probe(clientMsgId)) return;
  counters.probesSent += 1;
  probes.set(clientMsgId, { sentAtMs: now, clientId: `${client.spec.userId}:${client.spec.deviceId}` });
}

function resetRound(): void {
  counters = emptyCounters();
  backPerSlot = {};
  attemptsPerSlot = {};
  lastBackAtMs = 0;
  probeAckMs = [];
  backThisRound = new Map();
  drops = [];
  timedOutThisRound = new Set();
  probes.clear();
}

let probing: NodeJS.Timeout | undefined;
let probesSettled: () => void = () => undefined;

/** Waits for the probes still in flight: acked, or failed once PROBE_LIMIT_MS has passed. */
function settleProbes(): Promise<void> {
  if (probes.size === 0) return Promise.resolve();
  const lastSentAtMs = Math.max(...[...probes.values()].map((p) => p.sentAtMs));
  return new Promise((resolve) => {
    const timer = setTimeout(
      () => {
        expireProbes(Number.POSITIVE_INFINITY);
        resolve();
      },
      lastSentAtMs + PROBE_LIMIT_MS - Date.now(),
    );
    probesSettled = () => {
      clearTimeout(timer);
      resolve();
    };
  });
}
const progress = setInterval(
  () => post({ type: 'progress', round, connected: clients.filter((c) => c.isConnected()).length, counters }),
  PROGRESS_EVERY_MS,
);

function handle(message: ToWorker): void {
  switch (message.type) {
    case 'setup':
      return startClients(message);
    case 'arm':
      Object.assign(backoff, BACKOFF[message.policy]);
      round = message.round;
      resetRound();
      probing = setInterval(sendProbe, PROBE_EVERY_MS);
      return;
    case 'collect':
      clearInterval(probing);
      void settleProbes().then(() => {
        const stats: RoundStats = { ...counters, backPerSlot, attemptsPerSlot, lastBackAtMs, probeAckMs, drops };
        post({ type: 'stats', stats });
      });
      return;
    case 'close':
      clearInterval(progress);
      clearInterval(probing);
      for (const client of clients) client.close();
      post({ type: 'closed' });
      // Give the DISCONNECTs a moment to leave, then go: the parent does not wait on sockets.
      setTimeout(() => process.exit(0), 500).unref();
      return;
  }
}

// The main process is gone (finished, or interrupted): so are its phones.
process.once('disconnect', () => process.exit(0));

process.on('message', (message: ToWorker) => {
  try {
    handle(message);
  } catch (error) {
    post({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
