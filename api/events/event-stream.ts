/**
 * One event stream (GET /v1/events): what the broker delivers to one device, over Server-Sent
 * Events instead of an MQTT connection. A `DeviceLink` (an MQTT session as that device) does the
 * subscribing, so the ACL and the forward guard decide what arrives; this module only frames it.
 *
 * Opening is in two steps, so every refusal is still an HTTP status: `prepareEventStream`
 * connects the link and subscribes the inbox and the rooms the client names (deliveries are held
 * from then on), then `start` writes the stream: `ready`, each granted room's missed Messages
 * from the database (seq after the client's position, at most `replayMaxMessages` per room, each
 * followed by `replayed`), then everything held and everything live. A room's Messages go out
 * once each and in seq order: anything at or below the last seq written for the room is
 * dropped, so the replay and the live feed overlap without duplicates.
 *
 * Events (`data` is JSON): `ready {heartbeatMs, granted: {topic: code}}`, `publish {topic,
 * payload}` with the protobuf payload in base64 exactly as MQTT carries it (a Message's event id
 * is `{roomId}:{seq}`), `replayed {roomId, lastSeq, complete}`, `heartbeat {}` every
 * `heartbeatMs`, and `end {code, reason}` before the server closes the stream.
 */
import type { ServerResponse } from 'node:http';
import type { Logger } from '../../lib/log.js';
import type { Metrics } from '../../lib/metrics.js';
import {
  decodeMessage,
  encodeMessage,
  inboxTopic,
  parseTopic,
  receiptTopic,
  roomEventTopic,
  roomTopic,
  typingTopic,
} from '../../schema/index.js';
import { getHistory, type Db, type DeliveryMark } from '../../store/index.js';
import type { DeviceLink, DeviceLinks } from './device-links.js';
import { messageEventId } from './resume.js';
import { createSseWriter, type SseWriter } from './sse-writer.js';

export interface EventStreamDeps {
  db: Db;
  links: DeviceLinks;
  recordDelivered(mark: DeliveryMark): void;
  metrics: Metrics;
  log: Logger;
  now?: () => number;
}

export interface EventStreamOptions {
  heartbeatMs: number;
  maxBufferedBytes: number;
  replayMaxMessages: number;
}

export interface StreamDevice {
  userId: string;
  deviceId: string;
  /** A token for the link, for this device, expiring with the credential the stream was opened with. */
  token: string;
  expiresAtMs: number;
}

export type CloseCode = 'client_gone' | 'link_closed' | 'token_expired' | 'slow_consumer' | 'shutting_down';

export interface EventStream {
  subscribe(topics: readonly string[]): Promise<number[]>;
  unsubscribe(topics: readonly string[]): Promise<void>;
  publish(topic: string, payload: Uint8Array, qos: 0 | 1): Promise<void>;
  close(code: CloseCode, reason: string): void;
}

export interface PreparedStream extends EventStream {
  /** Writes the stream to `res` (headers already sent) until it closes; `closed` is called once then. */
  start(res: ServerResponse, closed: () => void): void;
}

/** The four topics of a room, as the SDK subscribes them. */
const roomTopics = (roomId: string): string[] => [roomTopic(roomId), roomEventTopic(roomId), typingTopic(roomId), receiptTopic(roomId)];
const SUBACK_FAILURE = 0x80;
/** setTimeout's longest delay; a token living longer is checked again then. */
const MAX_TIMER_MS = 2_147_483_647;

type Delivery = { topic: string; payload: Uint8Array };

export async function prepareEventStream(
  deps: EventStreamDeps,
  options: EventStreamOptions,
  device: StreamDevice,
  positions: ReadonlyMap<string, number>,
): Promise<PreparedStream> {
  const now = deps.now ?? Date.now;
  const log = deps.log.child({ module: 'event-stream', userId: device.userId, deviceId: device.deviceId });
  /** Deliveries held until the replay is written; undefined once live. */
  let held: Delivery[] | undefined = [];
  let writer: SseWriter | undefined;
  let closing: { code: CloseCode; reason: string } | undefined;
  let onClosed: () => void = () => undefined;
  const timers: NodeJS.Timeout[] = [];
  /** Per room, the last seq written: a Message at or below it is a duplicate. */
  const lastWritten = new Map<string, number>();

  const link: DeviceLink = await deps.links.open(device, {
    message(topic, payload) {
      if (held !== undefined) held.push({ topic, payload });
      else forward({ topic, payload });
    },
    // The link carries the stream's token expiry, so the broker may cut it at that instant just
    // before our own timer fires: that end is the token's, and the client must hear so.
    ended: (reason) =>
      now() >= device.expiresAtMs
        ? stream.close('token_expired', 'the token the stream was opened with has expired')
        : stream.close('link_closed', reason),
  });

  const roomIds = [...positions.keys()];
  const topics = [inboxTopic(device.userId), ...roomIds.flatMap(roomTopics)];
  let codes: number[];
  try {
    codes = await link.subscribe(topics);
  } catch (error) {
    link.close();
    throw error;
  }
  const granted = Object.fromEntries(topics.map((topic, i) => [topic, codes[i] ?? SUBACK_FAILURE]));
  // A room is replayed only when the broker let the device subscribe to its Messages (a member).
  const replayRooms = roomIds.filter((roomId) => granted[roomTopic(roomId)] !== SUBACK_FAILURE);

  function write(name: string, data: unknown, id?: string): void {
    writer?.event(name, data, id);
  }

  function forward({ topic, payload }: Delivery): void {
    const parsed = parseTopic(topic);
    if (parsed?.kind === 'room') {
      const seq = seqOf(payload);
      if (seq === undefined || seq <= (lastWritten.get(parsed.roomId) ?? 0)) return;
      lastWritten.set(parsed.roomId, seq);
      return write('publish', { topic, payload: base64(payload) }, messageEventId(parsed.roomId, seq));
    }
    write('publish', { topic, payload: base64(payload) });
  }

  async function replay(roomId: string): Promise<void> {
    let after = positions.get(roomId) ?? 0;
    lastWritten.set(roomId, Math.max(lastWritten.get(roomId) ?? 0, after));
    let budget = options.replayMaxMessages;
    let lastSeq = after;
    let complete = false;
    try {
      while (budget > 0 && writer?.closed === false) {
        const page = await getHistory(deps.db, roomId, { after, limit: budget });
        lastSeq = page.lastSeq;
        for (const message of page.messages) {
          forward({ topic: roomTopic(roomId), payload: encodeMessage(message) });
          await writer?.drained(); // the replay waits for a slow client instead of piling up
        }
        budget -= page.messages.length;
        after = page.messages.at(-1)?.seq ?? after;
        complete = after >= page.lastSeq || page.messages.length === 0;
        if (complete) break;
      }
      if (after > (positions.get(roomId) ?? 0)) deps.recordDelivered({ roomId, userId: device.userId, deliveredSeq: after });
    } catch (error) {
      // Too old (below retention) or the database is away: the client catches up over REST as after any gap.
      log.info({ roomId, err: (error as Error).message }, 'replay incomplete');
    }
    write('replayed', { roomId, lastSeq, complete });
  }

  async function run(): Promise<void> {
    write('ready', { heartbeatMs: options.heartbeatMs, granted });
    for (const roomId of replayRooms) await replay(roomId);
    const backlog = held ?? [];
    held = undefined;
    for (const delivery of backlog) forward(delivery);
  }

  function expireAt(expiresAtMs: number): void {
    const leftMs = expiresAtMs - now();
    if (leftMs <= 0) return stream.close('token_expired', 'the token the stream was opened with has expired');
    timers.push(setTimeout(() => expireAt(expiresAtMs), Math.min(leftMs, MAX_TIMER_MS)));
  }

  const stream: PreparedStream = {
    subscribe: (more) => link.subscribe(more),
    unsubscribe: (fewer) => link.unsubscribe(fewer),
    publish: (topic, payload, qos) => link.publish(topic, payload, qos),
    close(code, reason) {
      if (closing !== undefined) return;
      closing = { code, reason };
      for (const timer of timers) clearTimeout(timer);
      link.close();
      deps.metrics.eventStreamsClosed.inc({ reason: code });
      log.debug({ code, reason }, 'event stream closed');
      writer?.end(code === 'client_gone' ? undefined : { name: 'end', data: { code, reason } });
      onClosed();
    },
    start(res, closed) {
      onClosed = closed;
      writer = createSseWriter(res, {
        maxBufferedBytes: options.maxBufferedBytes,
        overflowed: () => stream.close('slow_consumer', `more than ${options.maxBufferedBytes} bytes waited for the client`),
      });
      res.on('close', () => stream.close('client_gone', 'the client closed the stream'));
      if (closing !== undefined) {
        writer.end({ name: 'end', data: closing });
        return closed();
      }
      timers.push(setInterval(() => write('heartbeat', {}), options.heartbeatMs));
      expireAt(device.expiresAtMs);
      run().catch((error: unknown) => {
        log.warn({ err: (error as Error).message }, 'event stream failed');
        stream.close('link_closed', 'the stream failed');
      });
    },
  };
  return stream;
}

function seqOf(payload: Uint8Array): number | undefined {
  try {
    return decodeMessage(payload).seq;
  } catch {
    return undefined;
  }
}

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
