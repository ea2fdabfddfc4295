/**
 * The SSE fallback as an `MqttSession`, so the rest of the client does not know which transport
 * it is on: Server-Sent Events down (GET /v1/events, read over `fetch`, so it runs in Node and
 * browsers alike), HTTP POST up (`sse-publish.ts`). The platform holds an MQTT session at its
 * broker for the stream, as this device; what arrives are the same topics and protobuf payloads
 * an MQTT connection would deliver.
 *
 * Opening: a single-use ticket for the stream (POST /v1/events/tickets, which also proves the
 * REST path works and the token is accepted), then the stream with the rooms to resume
 * (`rooms=id:seq`: the platform replays what the client missed, then goes live). The stream's
 * `ready` event is the CONNACK: it lists the topics already subscribed; `subscribe` asks for the
 * others (POST /v1/events/subscriptions, answered with SUBACK codes by the broker's ACL).
 *
 * Liveness: the platform writes at least a heartbeat every `heartbeatMs`; a stream silent for
 * `SILENCE_FACTOR` times that is dead (the ping timeout of this transport: no PINGREQs here).
 */
import type { Clock, TimerHandle } from './clock.js';
import type { MqttSession, SessionHandlers } from './mqtt-session.js';
import { fromBase64 } from './base64.js';
import type { SessionEnd } from './reconnect-policy.js';
import { createHttpPost, field, type HttpPost } from './sse-http.js';
import { createSseParser, type SseEvent } from './sse-parser.js';
import { createSsePublisher } from './sse-publish.js';

export interface SseSessionOptions {
  apiUrl: string;
  userId: string;
  token: string;
  connectTimeoutMs: number;
  restTimeoutMs: number;
  /** Rooms to resume on the stream, with the last seq the client has of each. */
  resume: ReadonlyMap<string, number>;
}

/** A stream silent this many heartbeat intervals is dead. */
export const SILENCE_FACTOR = 2.5;
/** The platform's SSE_HEARTBEAT_MS default, until its `ready` says otherwise. */
const DEFAULT_HEARTBEAT_MS = 15_000;
/** Topics per subscription call (the platform's limit). */
const TOPICS_PER_CALL = 100;
/** Rooms named in the stream's URL at most (the platform's limit); the others are subscribed after `ready`. */
const MAX_RESUME_ROOMS = 500;
const SUBACK_FAILURE = 0x80;

export function openSseSession(deps: { clock: Clock }, options: SseSessionOptions, handlers: SessionHandlers): MqttSession {
  const { clock } = deps;
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  const abort = new AbortController();
  const post: HttpPost = createHttpPost({ apiUrl, token: options.token, timeoutMs: options.restTimeoutMs });
  let ended = false;
  let connected = false;
  let heartbeatMs = DEFAULT_HEARTBEAT_MS;
  const granted = new Map<string, number>();
  let silenceTimer: TimerHandle | undefined;
  const connectTimer = clock.setTimeout(() => end({ kind: 'connectTimeout' }), options.connectTimeoutMs);
  const publisher = createSsePublisher(
    {
      post,
      deliver: (topic, payload) => {
        if (!ended) handlers.message(topic, payload);
      },
      unauthorized: (reason) => end({ kind: 'unauthorized', reason }),
    },
    { userId: options.userId },
  );

  function end(reason: SessionEnd): void {
    if (ended) return;
    ended = true;
    clock.clearTimeout(connectTimer);
    if (silenceTimer !== undefined) clock.clearTimeout(silenceTimer);
    publisher.stop();
    abort.abort();
    handlers.ended(reason);
  }

  function heard(): void {
    handlers.packetReceived();
    if (!connected || ended) return;
    if (silenceTimer !== undefined) clock.clearTimeout(silenceTimer);
    silenceTimer = clock.setTimeout(() => end({ kind: 'pingTimeout' }), heartbeatMs * SILENCE_FACTOR);
  }

  function dispatch(event: SseEvent): void {
    const data: unknown = JSON.parse(event.data);
    if (event.event === 'ready') {
      const interval = field(data, 'heartbeatMs');
      if (typeof interval === 'number' && interval > 0) heartbeatMs = interval;
      for (const [topic, code] of Object.entries((field(data, 'granted') ?? {}) as Record<string, unknown>)) {
        if (typeof code === 'number') granted.set(topic, code);
      }
      connected = true;
      clock.clearTimeout(connectTimer);
      heard();
      handlers.connected();
    } else if (event.event === 'publish') {
      const topic = field(data, 'topic');
      const payload = field(data, 'payload');
      const bytes = typeof payload === 'string' ? fromBase64(payload) : undefined;
      if (typeof topic === 'string' && bytes !== undefined) handlers.message(topic, bytes);
    } else if (event.event === 'end') {
      end({ kind: 'network', message: `the platform ended the stream: ${String(field(data, 'code'))}` });
    }
    // `heartbeat` and `replayed` only prove the stream is alive (heard() ran for their bytes).
  }

  async function run(): Promise<void> {
    const ticket = await post('/v1/events/tickets', undefined);
    if (ended) return;
    if (ticket.status === 401) return end({ kind: 'unauthorized', reason: 'REST 401 while opening the event stream' });
    const ticketText = field(ticket.body, 'ticket');
    if (ticket.status !== 201 || typeof ticketText !== 'string') {
      return end({ kind: 'network', message: `no event-stream ticket (${ticket.status === 0 ? 'no answer' : ticket.status})` });
    }
    const query = new URLSearchParams({ ticket: ticketText });
    const positions = [...options.resume].slice(0, MAX_RESUME_ROOMS).map(([roomId, seq]) => `${roomId}:${seq}`);
    if (positions.length > 0) query.set('rooms', positions.join(','));
    const response = await fetch(`${apiUrl}/v1/events?${query.toString()}`, {
      headers: { accept: 'text/event-stream' },
      signal: abort.signal,
    });
    if (response.status === 401) return end({ kind: 'unauthorized', reason: 'REST 401 on the event stream' });
    if (response.status !== 200 || response.body === null)
      return end({ kind: 'network', message: `event stream answered ${response.status}` });
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    const parser = createSseParser();
    for (;;) {
      // Typed here: Node's fetch types leave a body chunk as any.
      const { done, value } = (await reader.read()) as { done: boolean; value?: Uint8Array };
      if (done || ended) break;
      heard();
      for (const event of parser.feed(decoder.decode(value, { stream: true }))) {
        if (ended) break;
        dispatch(event);
      }
    }
    end({ kind: 'network', message: 'the event stream closed' });
  }

  run().catch((error: unknown) => end({ kind: 'network', message: `event stream failed: ${(error as Error).message}` }));

  return {
    transport: 'sse',
    publish(topic, payload) {
      if (!ended) publisher.publish(topic, payload);
    },
    async subscribe(topics) {
      const missing = topics.filter((topic) => !granted.has(topic));
      for (let from = 0; from < missing.length; from += TOPICS_PER_CALL) {
        const add = missing.slice(from, from + TOPICS_PER_CALL);
        const answer = await post('/v1/events/subscriptions', { add });
        const codes = field(answer.body, 'granted');
        if (answer.status !== 200 || !Array.isArray(codes)) throw new Error(`subscribing on the event stream answered ${answer.status}`);
        add.forEach((topic, i) => granted.set(topic, typeof codes[i] === 'number' ? codes[i] : SUBACK_FAILURE));
      }
      return topics.map((topic) => granted.get(topic) ?? SUBACK_FAILURE);
    },
    unsubscribe(topics) {
      for (const topic of topics) granted.delete(topic);
      for (let from = 0; from < topics.length && !ended; from += TOPICS_PER_CALL) {
        void post('/v1/events/subscriptions', { remove: topics.slice(from, from + TOPICS_PER_CALL) });
      }
    },
    ping() {
      // The platform's heartbeats keep this transport alive; see SILENCE_FACTOR.
    },
    end,
  };
}
