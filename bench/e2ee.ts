/**
 * Benchmark of end-to-end encryption (docs/e2ee.md#costs): `npm run bench:e2ee`.
 *   1. cost per message, in one process without a network (`e2ee-cost.ts`): the sender's CPU,
 *      each recipient device's CPU, and the bytes a message carries beyond its plaintext, for
 *      rooms of 2, 10 and 100 members (one device each), sender keys against pairwise fan-out;
 *      and what handing a new sender-key chain to the room costs once.
 *   2. extra send→delivery latency: the whole platform in this process (PGlite), SDK clients over
 *      MQTT with libsignal; one sender writes alternately to an encrypted and a plaintext room of
 *      the same members, paced, and every other member's client times each message from
 *      `send()` to its (decrypted) 'message' event. Same run, same load: the difference is what
 *      encryption adds end to end.
 * Everything shares this process and the machine's cores: figures from a loaded machine are upper bounds.
 */
import { parseArgs } from 'node:util';
import {
  createChatClient,
  createMemoryKeyValueStore,
  type ChatClient,
  type ChatMessage,
  type GroupStrategy,
  type SignalCrypto,
} from '@mqtt-chat/sdk';
import { createLibsignalCrypto } from '@mqtt-chat/sdk/e2ee-node';
import { positiveInteger } from '../devtools/index.js';
import { loadConfig } from '../lib/config.js';
import { silentLogger } from '../lib/log.js';
import { createMetrics } from '../lib/metrics.js';
import { startPlatform, type Platform } from '../platform/platform.js';
import { createRoom, createUser } from '../store/index.js';
import { openBenchDatabase } from './backends.js';
import { measureCost, type CostRow } from './e2ee-cost.js';
import { summarizeLatencies } from './stats.js';

const USAGE = `usage: npm run bench:e2ee -- [options]
  --messages N          messages per cost configuration (default 200)
  --plaintext-bytes B   size of each message's plaintext (default 100)
  --latency-members M   members of the two rooms of the latency phase (default 10)
  --latency-messages K  messages per room in the latency phase (default 100)
  --rate R              messages per second the sender offers in the latency phase, both rooms together (default 10)`;

const SECRETS = { jwtSecret: 'bench-jwt-secret-bench-jwt-secret-0123456789', adminToken: 'bench-admin-token-0123' };
const ROOM_SIZES = [2, 10, 100];
const STRATEGIES: GroupStrategy[] = ['sender-keys', 'pairwise'];
const WARM_UP_MESSAGES = 5;
const DELIVERY_LIMIT_MS = 120_000;

interface Options {
  messages: number;
  plaintextBytes: number;
  latencyMembers: number;
  latencyMessages: number;
  rate: number;
}

function parse(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      messages: { type: 'string', default: '200' },
      'plaintext-bytes': { type: 'string', default: '100' },
      'latency-members': { type: 'string', default: '10' },
      'latency-messages': { type: 'string', default: '100' },
      rate: { type: 'string', default: '10' },
    },
  });
  return {
    messages: positiveInteger('--messages', values.messages),
    plaintextBytes: positiveInteger('--plaintext-bytes', values['plaintext-bytes']),
    latencyMembers: Math.max(2, positiveInteger('--latency-members', values['latency-members'])),
    latencyMessages: positiveInteger('--latency-messages', values['latency-messages']),
    rate: positiveInteger('--rate', values.rate),
  };
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function costTable(rows: readonly CostRow[], plaintextBytes: number): string {
  const header = `| members | strategy    | encrypt / message | decrypt / message / device | room CPU / message | bytes beyond the ${plaintextBytes}-byte plaintext |`;
  const lines = rows.map((r) => {
    const roomMs = (r.encryptUs + r.decryptUs * (r.members - 1)) / 1000;
    return `| ${String(r.members).padStart(7)} | ${r.strategy.padEnd(11)} | ${fmt(r.encryptUs).padStart(14)} µs | ${fmt(r.decryptUs).padStart(23)} µs | ${fmt(roomMs, 1).padStart(15)} ms | ${fmt(r.overheadBytes).padStart(34)} |`;
  });
  return [header, `|${header.slice(1, -1).replace(/[^|]/g, '-')}|`, ...lines].join('\n');
}

function distributionTable(rows: readonly CostRow[]): string {
  const header = '| members | new chain, first contact (PreKey) | new chain, established sessions |';
  const lines = rows.flatMap((r) =>
    r.distribution === undefined
      ? []
      : [
          `| ${String(r.members).padStart(7)} | ${`${fmt(r.distribution.firstContactBytes)} B, ${fmt(r.distribution.firstContactMs, 1)} ms`.padStart(33)} | ${`${fmt(r.distribution.establishedBytes)} B, ${fmt(r.distribution.establishedMs, 1)} ms`.padStart(31)} |`,
        ],
  );
  return [header, `|${header.slice(1, -1).replace(/[^|]/g, '-')}|`, ...lines].join('\n');
}

interface LatencyRun {
  encrypted: number[];
  plaintext: number[];
}

/** Alternating sends to an encrypted and a plaintext room of the same members; send→delivery at every other member. */
async function latencyPhase(platform: Platform, crypto: SignalCrypto, options: Options): Promise<LatencyRun> {
  const users = [];
  for (let i = 0; i < options.latencyMembers; i += 1) users.push((await createUser(platform.db, { name: `member ${i}` })).id);
  const encrypted = await createRoom(platform.db, { kind: 'group', name: 'encrypted', memberIds: users, encrypted: true });
  const plaintext = await createRoom(platform.db, { kind: 'group', name: 'plaintext', memberIds: users });
  const clients: ChatClient[] = users.map((userId) =>
    createChatClient({
      mqttUrl: platform.endpoints.mqtt!,
      apiUrl: platform.endpoints.api,
      userId,
      deviceId: 'phone',
      token: platform.tokens.issue(userId, 'phone').token,
      e2ee: { crypto, store: createMemoryKeyValueStore() },
    }),
  );
  const samples: LatencyRun = { encrypted: [], plaintext: [] };
  const sentAt = new Map<string, number>();
  const expected = (options.latencyMembers - 1) * 2 * options.latencyMessages;
  let received = 0;
  let allReceived: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allReceived = resolve));
  for (const [i, client] of clients.entries()) {
    if (i === 0) continue;
    client.on('message', (message: ChatMessage) => {
      const key = new TextDecoder().decode(message.body);
      const started = sentAt.get(key);
      if (started === undefined) return;
      const isMeasured = Number(key.split(':')[1]) >= WARM_UP_MESSAGES;
      if (isMeasured) samples[message.roomId === encrypted.id ? 'encrypted' : 'plaintext'].push(performance.now() - started);
      received += 1;
      if (received === expected) allReceived();
    });
  }
  await Promise.all(clients.map((c) => c.connect()));
  await Promise.all(clients.map((c) => c.e2ee!.ready()));
  const [sender] = clients as [ChatClient];
  const gapMs = 1000 / options.rate;
  for (let i = 0; i < options.latencyMessages; i += 1) {
    for (const room of [encrypted, plaintext]) {
      const key = `${room.id}:${i}`;
      sentAt.set(key, performance.now());
      void sender.send(room.id, key);
      await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
  }
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('deliveries missing')), DELIVERY_LIMIT_MS).unref());
  await Promise.race([done, timeout]);
  for (const c of clients) c.close();
  return samples;
}

async function main(): Promise<void> {
  let options: Options;
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  const crypto = createLibsignalCrypto();
  process.stdout.write(
    `e2ee benchmark: libsignal (@signalapp/libsignal-client), ${options.plaintextBytes}-byte messages, one device per member; ` +
      `${options.messages} messages per configuration\n\n`,
  );
  const rows: CostRow[] = [];
  for (const members of ROOM_SIZES) {
    for (const strategy of STRATEGIES) {
      rows.push(await measureCost(crypto, { members, strategy, messages: options.messages, plaintextBytes: options.plaintextBytes }));
    }
  }
  process.stdout.write(
    `Cost per message (steady state: every session established, the chain already handed out)\n\n${costTable(rows, options.plaintextBytes)}\n\n`,
  );
  process.stdout.write(
    `Sender keys: handing a new chain to the room (once per membership change), the whole message\n\n${distributionTable(rows)}\n\n`,
  );

  const opened = await openBenchDatabase('pglite');
  if (opened.status === 'skipped') throw new Error(opened.reason);
  const database = opened.database;
  const config = loadConfig({
    MQTT_PORT: '0',
    WS_PORT: '0',
    API_PORT: '0',
    LOG_LEVEL: 'silent',
    SEND_RATE_PER_SECOND: '1000',
    SEND_BURST: '1000',
  });
  const platform = await startPlatform(config, { db: database.db, secrets: SECRETS, log: silentLogger(), metrics: createMetrics() });
  try {
    const run = await latencyPhase(platform, crypto, options);
    const [enc, plain] = [summarizeLatencies(run.encrypted), summarizeLatencies(run.plaintext)];
    process.stdout.write(
      `Send→delivery, ${options.latencyMembers} members (${options.latencyMembers - 1} receiving clients), ${options.latencyMessages} messages per room ` +
        `alternating at ${options.rate}/s, ${database.label}, platform and clients in one process\n\n` +
        `| room      | p50 | p99 | deliveries |\n|-----------|-----|-----|------------|\n` +
        `| plaintext | ${fmt(plain.p50Ms, 1)} ms | ${fmt(plain.p99Ms, 1)} ms | ${plain.count} |\n` +
        `| encrypted | ${fmt(enc.p50Ms, 1)} ms | ${fmt(enc.p99Ms, 1)} ms | ${enc.count} |\n` +
        `| extra     | ${fmt(enc.p50Ms - plain.p50Ms, 1)} ms | ${fmt(enc.p99Ms - plain.p99Ms, 1)} ms | |\n`,
    );
  } finally {
    await platform.close();
    await database.close();
  }
}

await main();
