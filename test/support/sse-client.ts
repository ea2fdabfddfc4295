/**
 * A test's view of an event stream (GET /v1/events): the raw text/event-stream read over fetch,
 * split into events, with `waitFor` to await one (already received or future) instead of sleeping.
 * Written independently of the SDK's parser, so it checks the wire format on its own.
 */
import { decodeInboxItem, decodeMessage, decodeReceipt, decodeTyping } from '../../schema/index.js';

export const WAIT_LIMIT_MS = 10_000;

export interface SseEvent {
  event: string;
  id: string | undefined;
  data: any; // JSON, asserted on with toMatchObject
}

export interface SseTestClient {
  readonly status: number;
  readonly headers: Headers;
  readonly events: SseEvent[];
  /** `publish` events whose topic passes `topic`, payloads still base64. */
  publishes(topic: (topic: string) => boolean): { topic: string; payload: Uint8Array; id: string | undefined }[];
  waitFor(test: (event: SseEvent) => boolean, what: string): Promise<SseEvent>;
  /** Resolves when the server ended the stream. */
  readonly ended: Promise<void>;
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseTestClient> {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const events: SseEvent[] = [];
  let waiters: { test: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void }[] = [];
  const ended = (async () => {
    if (response.body === null || !response.headers.get('content-type')?.startsWith('text/event-stream')) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = new Map(block.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]));
          const event: SseEvent = {
            event: fields.get('event') ?? 'message',
            id: fields.get('id'),
            data: JSON.parse(fields.get('data') ?? 'null'),
          };
          events.push(event);
          waiters = waiters.filter((w) => (w.test(event) ? (w.resolve(event), false) : true));
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  const fromBase64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));
  return {
    status: response.status,
    headers: response.headers,
    events,
    ended,
    publishes: (topic) =>
      events.flatMap((e) =>
        e.event === 'publish' && topic(e.data.topic) ? [{ topic: e.data.topic, payload: fromBase64(e.data.payload), id: e.id }] : [],
      ),
    waitFor(test, what) {
      const seen = events.find(test);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${what} within ${WAIT_LIMIT_MS} ms`)), WAIT_LIMIT_MS);
        waiters.push({ test, resolve: (e) => (clearTimeout(timer), resolve(e)) });
      });
    },
    close: () => abort.abort(),
  };
}

export const decode = { message: decodeMessage, inbox: decodeInboxItem, typing: decodeTyping, receipt: decodeReceipt };
