/**
 * A fleet run, start to verdict: start the platform as a child process, put the phones behind a
 * simulated carrier NAT when asked, provision them over REST, let them chat for the run's
 * duration (with chaos: the platform killed and restarted, NAT mappings dropped), then calm
 * everyone down, wait until every phone has caught up, fetch the platform's history and let
 * the checker judge what the apps were shown.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdaptiveHeartbeat, createMemoryKeyValueStore, realClock } from '@mqtt-chat/sdk';
import { createLibsignalCrypto } from '@mqtt-chat/sdk/e2ee-node';
import { startHttpProxy } from '../net/http-proxy.js';
import { startNatProxy, type NatProxy } from '../net/nat-proxy.js';
import { checkFleet, type AckedSend, type CheckReport, type SeenMessage } from './checker.js';
import type { FleetOptions } from './fleet-args.js';
import { startPlatformRunner, type PlatformRunner } from './platform-runner.js';
import { provisionFleet } from './provision.js';
import { createSeededRandom, type Random } from '../../devtools/index.js';
import { createSimPhone, type SimPhone } from './sim-phone.js';

export interface FleetReport {
  seed: number;
  phones: number;
  rooms: number;
  encryptedRooms: number;
  sent: number;
  acked: number;
  sendFailures: number;
  delivered: number;
  /** Deliveries in encrypted rooms that the app got decrypted. */
  decrypted: number;
  /** send→delivery at receiving phones connected throughout. */
  onlineLatenciesMs: number[];
  /** send→delivery at phones that were away or reconnecting meanwhile (delivered by catch-up). */
  catchUpLatenciesMs: number[];
  /** The online deliveries of encrypted rooms only (decrypted), to hold against the others. */
  encryptedOnlineLatenciesMs: number[];
  platformRestarts: number;
  natDropsByChaos: number;
  natMappingsDropped: number;
  /** Phones behind the proxy that refuses WebSockets. */
  ssePhones: number;
  /** Of those, connected over the SSE fallback at the end of the run. */
  ssePhonesOnFallback: number;
  /** WebSocket upgrades the proxy refused. */
  upgradesRefused: number;
  check: CheckReport;
  /** What the settle phase gave up on (empty when everyone caught up). */
  unsettled: string[];
  chatMs: number;
  settleMs: number;
}

/** Heartbeat constants of docs/mobile-realities.md#the-adaptive-heartbeat (ms), scaled by --heartbeat-scale. */
const HEARTBEAT = {
  initialIntervalMs: 240_000,
  minIntervalMs: 60_000,
  maxIntervalMs: 600_000,
  growthStepMs: 60_000,
  safetyMarginMs: 20_000,
  resolutionMs: 10_000,
};
const NO_NAT_TIMEOUT_MS = 86_400_000;
const KEY_INSTALLS_AT_ONCE = 16;
const SETTLE_LIMIT_MS = 120_000;
const PROGRESS_EVERY_MS = 2_000;

export async function runFleet(options: FleetOptions, progress: (line: string) => void): Promise<FleetReport> {
  const random = createSeededRandom(options.seed);
  const dataDir = await mkdtemp(join(tmpdir(), 'chat-sim-'));
  const adminToken = randomBytes(24).toString('hex');
  const cleanups: (() => Promise<void>)[] = [() => rm(dataDir, { recursive: true, force: true })];
  try {
    progress(`starting the platform (data in ${dataDir})`);
    const platform = await startPlatformRunner({ DATA_DIR: dataDir, ADMIN_TOKEN: adminToken, LOG_LEVEL: 'warn' });
    cleanups.unshift(() => platform.stop());
    const apiUrl = `http://127.0.0.1:${platform.endpoints.apiPort}`;
    const nat = await startNats(options, platform);
    cleanups.unshift(async () => void (await Promise.all(nat.map((proxy) => proxy.close()))));

    progress(`provisioning ${options.clients} phones in ${options.rooms} rooms`);
    const layout = await provisionFleet(
      { url: apiUrl, adminToken },
      {
        phones: options.clients,
        rooms: options.rooms,
        roomsPerPhone: options.roomsPerClient,
        random,
        encryptedShare: options.encryptedShare,
      },
    );
    const crypto = createLibsignalCrypto();
    const sentContent = new Map<string, string>();

    const acked: AckedSend[] = [];
    const latenciesMs = { online: [] as number[], catchUp: [] as number[], encryptedOnline: [] as number[] };
    let sent = 0;
    let sendFailures = 0;
    // A corporate proxy in front of the API's port (which also serves MQTT over WebSocket at /mqtt) that refuses WebSockets.
    const blockingProxy = await startHttpProxy({ target: apiUrl, blockWebSockets: true });
    cleanups.unshift(() => blockingProxy.close());
    const sseIndexes = pickShare(layout.phones.length, options.sseShare, random);
    const phones: SimPhone[] = layout.phones.map((profile, i) => {
      const viaWs = options.transport === 'ws' || (options.transport === 'mixed' && i % 2 === 1);
      const [tcpPort, wsPort] = nat.length === 2 ? [nat[0]!.port, nat[1]!.port] : [platform.endpoints.mqttPort, platform.endpoints.wsPort];
      const isBlocked = sseIndexes.has(i);
      const mqttUrl = isBlocked
        ? `${blockingProxy.url.replace('http', 'ws')}/mqtt`
        : viaWs
          ? `ws://127.0.0.1:${wsPort}/mqtt`
          : `mqtt://127.0.0.1:${tcpPort}`;
      return createSimPhone(
        {
          clock: realClock,
          random: createSeededRandom(Math.floor(random() * 2 ** 31)),
          mqttUrl,
          apiUrl: isBlocked ? blockingProxy.url : apiUrl,
          heartbeat: () => createAdaptiveHeartbeat(scaled(HEARTBEAT, options.heartbeatScale)),
          sharedNowMs: () => performance.now(),
          onAcked: (send) => acked.push(send),
          onSent: (send) => sentContent.set(`${send.senderId}/${send.clientMsgId}`, send.content),
          onSendFailed: () => (sendFailures += 1),
          onLatency(ms, kind, encrypted) {
            latenciesMs[kind].push(ms);
            if (encrypted && kind === 'online') latenciesMs.encryptedOnline.push(ms);
          },
        },
        {
          ...profile,
          burstEveryMs: options.burstEveryMs,
          encryptedRooms: layout.encryptedRooms,
          // Keys in memory: a phone keeps its state across going away and back (the process lives on).
          ...(profile.rooms.some((roomId) => layout.encryptedRooms.has(roomId))
            ? { e2ee: { crypto, store: createMemoryKeyValueStore() } }
            : {}),
        },
      );
    });
    cleanups.unshift(async () => phones.forEach((phone) => phone.close()));

    const encrypting = phones.filter((phone) => phone.client.e2ee !== undefined);
    if (encrypting.length > 0) progress(`installing end-to-end keys of ${encrypting.length} phones`);
    for (let i = 0; i < encrypting.length; i += KEY_INSTALLS_AT_ONCE) {
      await Promise.all(encrypting.slice(i, i + KEY_INSTALLS_AT_ONCE).map((phone) => phone.installKeys()));
    }

    const startedAtMs = performance.now();
    const status = () => {
      const online = phones.filter((p) => p.isOnline()).length;
      const delivered = phones.reduce((sum, p) => sum + p.delivered.length, 0);
      sent = acked.length + sendFailures + phones.reduce((sum, p) => sum + p.pendingSends(), 0);
      return `online ${online}/${phones.length}  sent ${sent}  acked ${acked.length}  delivered ${delivered}  restarts ${platform.restarts}`;
    };
    const ticker = setInterval(() => progress(`[${seconds(performance.now() - startedAtMs)}] ${status()}`), PROGRESS_EVERY_MS);
    cleanups.unshift(async () => clearInterval(ticker));

    // Phones come up over the first seconds, as after a push or a morning, not in one instant.
    const rampMs = Math.min(5_000, options.durationMs / 10);
    phones.forEach((phone, i) => setTimeout(() => phone.start(), (rampMs * i) / phones.length));
    const chaos = options.chaos ? startChaos(platform, nat, { meanGapMs: options.chaosEveryMs, random }, progress) : undefined;
    await delay(options.durationMs);
    await chaos?.stop();
    const chatMs = performance.now() - startedAtMs;

    progress(`chat over after ${seconds(chatMs)}: calming every phone down and waiting for them to catch up`);
    phones.forEach((phone) => phone.calmDown());
    const settleStartedMs = performance.now();
    const unsettled: string[] = [];
    if (!(await waitFor(() => phones.every((p) => p.isOnline() && p.pendingSends() === 0))))
      unsettled.push('not every phone was online with its sends answered');
    const history = await fetchHistories(apiUrl, adminToken, layout.rooms);
    // What the apps were handed, not the SDK's lastSeq: in an encrypted room the SDK is ahead while
    // messages wait to be decrypted, and checking then counted a phone's last ones as lost.
    if (!(await waitFor(() => phones.every((p) => p.rooms.every((roomId) => p.handedUpTo(roomId) >= lastSeqOf(history.get(roomId)!))))))
      unsettled.push('not every phone caught up with its rooms');
    // The checker still runs: what a phone missed shows up as lost or disagreeing.
    for (const what of unsettled) progress(`gave up after ${SETTLE_LIMIT_MS / 1000} s: ${what}`);
    const settleMs = performance.now() - settleStartedMs;
    clearInterval(ticker);

    const check = checkFleet({
      acked,
      apps: phones.map((p) => ({ appId: p.appId, rooms: p.rooms, delivered: p.delivered })),
      history,
      encryptedRooms: layout.encryptedRooms,
      sentContent,
    });
    return {
      seed: options.seed,
      phones: phones.length,
      rooms: layout.rooms.length,
      encryptedRooms: layout.encryptedRooms.size,
      sent,
      acked: acked.length,
      sendFailures,
      delivered: phones.reduce((sum, p) => sum + p.delivered.length, 0),
      decrypted: phones.reduce((sum, p) => sum + p.delivered.filter((m) => m.e2ee === 'decrypted').length, 0),
      onlineLatenciesMs: latenciesMs.online,
      catchUpLatenciesMs: latenciesMs.catchUp,
      encryptedOnlineLatenciesMs: latenciesMs.encryptedOnline,
      platformRestarts: platform.restarts,
      natDropsByChaos: chaos?.natDrops() ?? 0,
      natMappingsDropped: nat.reduce((sum, proxy) => sum + proxy.stats().mappingsDropped, 0),
      ssePhones: sseIndexes.size,
      ssePhonesOnFallback: phones.filter((phone, i) => sseIndexes.has(i) && transportOf(phone) === 'sse').length,
      upgradesRefused: blockingProxy.stats().upgradesRefused,
      check,
      unsettled,
      chatMs,
      settleMs,
    };
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  }
}

/** One NAT per transport (TCP, WebSocket); none when neither --nat nor --chaos asks for one. */
async function startNats(options: FleetOptions, platform: PlatformRunner): Promise<NatProxy[]> {
  if (options.natIdleTimeoutMs === undefined && !options.chaos) return [];
  const idleTimeoutMs = options.natIdleTimeoutMs ?? NO_NAT_TIMEOUT_MS;
  return Promise.all(
    [platform.endpoints.mqttPort, platform.endpoints.wsPort].map((targetPort) =>
      startNatProxy({ targetHost: '127.0.0.1', targetPort, idleTimeoutMs }),
    ),
  );
}

/** Chaos events at jittered moments, alternating: kill -9 the platform first, then drop every NAT mapping. */
function startChaos(
  platform: PlatformRunner,
  nat: readonly NatProxy[],
  timing: { meanGapMs: number; random: Random },
  progress: (line: string) => void,
) {
  let stopped = false;
  let natDrops = 0;
  let events = 0;
  let current: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const next = () => {
    timer = setTimeout(
      () => {
        if (stopped) return;
        const killPlatform = events++ % 2 === 0;
        current = (async () => {
          if (killPlatform) {
            progress('chaos: kill -9 the platform and start it again');
            await platform.crashAndRestart();
            progress('chaos: the platform is back');
          } else {
            const dropped = nat.reduce((sum, proxy) => sum + proxy.dropAll(), 0);
            natDrops += 1;
            progress(`chaos: the NAT dropped all ${dropped} mappings (a network change)`);
          }
        })();
        void current.then(next, (error: unknown) => progress(`chaos failed: ${(error as Error).message}`));
      },
      // Uniform around the mean, not exponential: a run of N means has close to N events, never none.
      timing.meanGapMs * (0.5 + timing.random()),
    );
  };
  next();
  return {
    natDrops: () => natDrops,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}

async function fetchHistories(apiUrl: string, adminToken: string, roomIds: readonly string[]): Promise<Map<string, SeenMessage[]>> {
  const histories = new Map<string, SeenMessage[]>();
  for (const roomId of roomIds) {
    const messages: SeenMessage[] = [];
    for (;;) {
      const after = messages.at(-1)?.seq ?? 0;
      const response = await fetch(`${apiUrl}/v1/rooms/${roomId}/messages?after=${after}&limit=500`, {
        headers: { authorization: `Bearer ${adminToken}` },
      });
      if (!response.ok) throw new Error(`history of ${roomId} answered ${response.status}: ${await response.text()}`);
      const page = (await response.json()) as { messages: SeenMessage[]; lastSeq: number };
      messages.push(...page.messages.map(({ seq, senderId, clientMsgId }) => ({ roomId, seq, senderId, clientMsgId })));
      if (page.messages.length === 0 || (messages.at(-1)?.seq ?? 0) >= page.lastSeq) break;
    }
    histories.set(roomId, messages);
  }
  return histories;
}

/** `round(count * share)` distinct indexes below `count`, chosen by the run's seeded randomness. */
function pickShare(count: number, share: number, random: Random): Set<number> {
  const indexes = Array.from({ length: count }, (_, i) => i);
  for (let i = indexes.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [indexes[i], indexes[j]] = [indexes[j]!, indexes[i]!];
  }
  return new Set(indexes.slice(0, Math.round(count * share)));
}

function transportOf(phone: SimPhone): string | undefined {
  const status = phone.client.status();
  return status.state === 'connected' ? status.transport : undefined;
}

const lastSeqOf = (messages: readonly SeenMessage[]): number => messages.at(-1)?.seq ?? 0;

/** Polls a condition over many phones' states (no single event says it); false on giving up. */
async function waitFor(condition: () => boolean): Promise<boolean> {
  const deadline = performance.now() + SETTLE_LIMIT_MS;
  while (!condition()) {
    if (performance.now() > deadline) return false;
    await delay(250);
  }
  return true;
}

function scaled<T extends Record<string, number>>(durations: T, factor: number): T {
  return Object.fromEntries(Object.entries(durations).map(([key, ms]) => [key, Math.max(1, Math.round(ms * factor))])) as T;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(0).padStart(4)}s`;
