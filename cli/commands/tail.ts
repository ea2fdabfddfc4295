/**
 * `chatctl tail <roomId>`: a room's messages as they are stored, over MQTT. It connects as the
 * platform's service identity (the admin token) or, with --user-token, as that user's device (a
 * member; it takes over that device's MQTT session while it runs). Each time it (re)connects it
 * subscribes, then fetches over REST what it has not printed yet, so nothing is skipped across a
 * reconnect, and prints each seq once, in order. Ctrl-C ends it with exit code 0.
 */
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import mqtt, { type MqttClient } from 'mqtt';
import { SERVICE_USERNAME } from '../../lib/service-identity.js';
import { decodeMessage, deviceClientId, isValidId, roomTopic } from '../../schema/index.js';
import type { ApiClient } from '../api-client.js';
import { id, nonNegativeInteger } from '../arguments.js';
import type { Context } from '../context.js';
import { ApiError, UsageError } from '../errors.js';
import { humanLine, jsonLine, type TailedMessage } from '../message-line.js';

const HISTORY_PAGE = 500;
const RECONNECT_MS = 1_000;
const CONNECT_TIMEOUT_MS = 10_000;
const SUBACK_FAILURE = 128;

interface RoomInfo {
  id: string;
  name: string;
  lastSeq: number;
  historyFloor: number;
  encrypted: boolean;
}

interface MessageView {
  seq: number;
  senderId: string;
  senderDevice: string;
  sentAtMs: number;
  contentType: string;
  body: string;
}

/** Who tail connects as: the service identity, or the user and device a token names (its payload, unverified: the broker verifies). */
function tailIdentity(
  userToken: string | undefined,
  adminToken: string,
): { username: string; password: string; clientId: string; label: string } {
  if (userToken === undefined) {
    return {
      username: SERVICE_USERNAME,
      password: adminToken,
      clientId: `chatctl-tail-${randomBytes(6).toString('hex')}`,
      label: 'the service',
    };
  }
  const payload = userToken.split('.')[1];
  const claims = (() => {
    try {
      return JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as { sub?: unknown; did?: unknown };
    } catch {
      return {};
    }
  })();
  const { sub, did } = claims;
  if (typeof sub !== 'string' || typeof did !== 'string' || !isValidId(sub) || !isValidId(did)) {
    throw new UsageError('--user-token is not a device token (no valid sub and did)');
  }
  return { username: sub, password: userToken, clientId: deviceClientId(sub, did), label: `${sub}/${did}` };
}

export function tailCommand(program: Command, context: (command: Command) => Context): void {
  program
    .command('tail')
    .description("print a room's messages live over MQTT (sender, seq, text) until Ctrl-C")
    .argument('<roomId>', 'room id', id)
    .option('-n, --history <n>', 'print the last n messages first', nonNegativeInteger, 0)
    .option('--user-token <token>', "connect as this user's device (a member) instead of the service identity")
    .action(async (roomId: string, options: { history: number; userToken?: string }, command: Command) => {
      const ctx = context(command);
      const adminApi = options.userToken === undefined ? ctx.api() : undefined;
      const api = adminApi ?? ctx.apiAs(options.userToken!);
      const identity = tailIdentity(options.userToken, ctx.token ?? '');
      const room = await api.call<RoomInfo>('GET', `/v1/rooms/${roomId}`);
      await tail({ ctx, api, room, identity, printedSeq: Math.max(room.lastSeq - options.history, room.historyFloor, 0) });
    });
}

async function tail(run: {
  ctx: Context;
  api: ApiClient;
  room: RoomInfo;
  identity: ReturnType<typeof tailIdentity>;
  printedSeq: number;
}): Promise<void> {
  const { ctx, api, room, identity } = run;
  let printed = run.printedSeq;
  const print = (message: TailedMessage) => {
    if (message.seq <= printed) return;
    printed = message.seq;
    ctx.out.line(ctx.out.json ? jsonLine(message, room.encrypted) : humanLine(message, room.encrypted));
  };

  /** Everything after `printed` that REST has, in order. */
  async function catchUp(): Promise<void> {
    for (;;) {
      const page = await api.call<{ messages: MessageView[] }>(
        'GET',
        `/v1/rooms/${room.id}/messages?after=${printed}&limit=${HISTORY_PAGE}`,
      );
      for (const m of page.messages) print({ ...m, roomId: room.id, body: Buffer.from(m.body, 'base64') });
      if (page.messages.length < HISTORY_PAGE) return;
    }
  }

  // One thing at a time: a live message waits for a catch-up in progress, and a gap starts one.
  let queue: Promise<void> = Promise.resolve();
  let failed: (error: unknown) => void = () => undefined;
  const fatal = new Promise<never>((_, reject) => (failed = reject));
  const serially = (work: () => Promise<void> | void) => {
    queue = queue.then(work).catch((error: unknown) => failed(error));
  };

  const client: MqttClient = mqtt.connect(ctx.mqttUrl, {
    clientId: identity.clientId,
    username: identity.username,
    password: identity.password,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: RECONNECT_MS,
    connectTimeout: CONNECT_TIMEOUT_MS,
  });
  let announced = false;
  client.on('connect', () =>
    serially(async () => {
      const granted = await client.subscribeAsync(roomTopic(room.id), { qos: 1 }).catch((error: unknown) => {
        const refused = (error as { packet?: { granted?: number[] } }).packet?.granted?.[0];
        if (refused === undefined) throw error;
        return [{ qos: refused }];
      });
      if (granted[0]?.qos === SUBACK_FAILURE)
        throw new ApiError('ERR_CHATCTL_SUBSCRIBE_REFUSED', `the broker refused ${identity.label} the room's topic`, 0);
      await catchUp();
      if (!announced) ctx.out.note(`tailing ${room.id} "${room.name}" as ${identity.label} (Ctrl-C to stop)`);
      announced = true;
    }),
  );
  client.on('message', (topic, payload) =>
    serially(async () => {
      const message = decodeMessage(payload);
      if (message.seq > printed + 1) await catchUp(); // a gap: fetch it, then this one is a duplicate or next
      print(message);
    }),
  );
  client.on('error', (error) => {
    const code = (error as { code?: unknown }).code;
    // CONNACK 4 or 5: the credential is refused (revoked, expired, not the admin token); retrying will not help.
    if (code === 4 || code === 5)
      failed(new ApiError('ERR_CHATCTL_MQTT_REFUSED', `the broker at ${ctx.mqttUrl} refused ${identity.label}: ${error.message}`, 0));
    else ctx.out.note(`mqtt: ${error.message}; retrying every ${RECONNECT_MS / 1000} s`);
  });

  const stopped = new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  try {
    await Promise.race([stopped, fatal]);
  } finally {
    await client.endAsync(true);
  }
}
