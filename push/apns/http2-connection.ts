/**
 * One long-lived HTTP/2 session to a provider (docs/mobile-realities.md#apns-wire-facts), opened on
 * first use and reopened after it closes or the server sends GOAWAY. Requests never throw: a
 * timeout, a reset stream or a lost connection is a `failed` result the caller turns into a retry.
 */
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import type { Logger } from '../../lib/log.js';

/**
 * TCP keepalive on the idle session: NATs and cloud gateways drop idle flows after ~350 s
 * (docs/mobile-realities.md#nat-idle-timeouts), and apns2 keeps its sockets alive every 60 s for
 * this reason.
 */
const TCP_KEEPALIVE_MS = 60_000;

export type Http2Result =
  { kind: 'response'; status: number; headers: IncomingHttpHeaders; body: Buffer } | { kind: 'failed'; reason: string };

export interface Http2Connection {
  request(headers: OutgoingHttpHeaders, body: string, timeoutMs: number): Promise<Http2Result>;
  /** Lets in-flight requests finish (each has its own timeout), then closes the session. */
  close(): Promise<void>;
}

/** `http://` speaks h2c (prior knowledge), `https://` TLS with ALPN h2; `ca` trusts a stub's self-signed certificate. */
export function createHttp2Connection(options: { url: string; ca?: string; log?: Logger }): Http2Connection {
  let session: ClientHttp2Session | undefined;
  let closed = false;

  const open = (): ClientHttp2Session => {
    const opened = http2.connect(options.url, options.ca === undefined ? {} : { ca: options.ca });
    // The session's own `socket` refuses setKeepAlive; the one handed to 'connect' is the real socket.
    opened.once('connect', (_session, socket) => socket.setKeepAlive(true, TCP_KEEPALIVE_MS));
    const forget = () => {
      if (session === opened) session = undefined;
    };
    // After GOAWAY the session takes no new streams: later requests go to a fresh one.
    opened.on('goaway', (errorCode) => {
      options.log?.info({ errorCode }, 'push provider sent GOAWAY; reconnecting on next request');
      forget();
    });
    opened.on('close', forget);
    // Without a listener a connection error would crash the process; the streams report it to their callers.
    opened.on('error', (error) => options.log?.warn({ err: error }, 'push provider connection failed'));
    return opened;
  };

  const current = (): ClientHttp2Session => {
    if (session === undefined || session.closed || session.destroyed) session = open();
    return session;
  };

  return {
    request(headers, body, timeoutMs) {
      if (closed) return Promise.resolve({ kind: 'failed', reason: 'connection closed' });
      let stream: ClientHttp2Stream;
      try {
        stream = current().request(headers);
      } catch (error) {
        return Promise.resolve({ kind: 'failed', reason: `request not sent: ${(error as Error).message}` });
      }
      return exchange(stream, body, timeoutMs);
    },
    async close() {
      closed = true;
      const open = session;
      session = undefined;
      if (open === undefined || open.closed) return;
      await new Promise<void>((resolve) => open.close(resolve));
    },
  };
}

/** Writes the body and collects the answer; the first of answer, error, reset or timeout settles it. */
function exchange(stream: ClientHttp2Stream, body: string, timeoutMs: number): Promise<Http2Result> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      stream.close(http2.constants.NGHTTP2_CANCEL);
      settle({ kind: 'failed', reason: `no answer within ${timeoutMs} ms` });
    }, timeoutMs);
    let settled = false;
    const settle = (result: Http2Result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    let responseHeaders: IncomingHttpHeaders | undefined;
    const chunks: Buffer[] = [];
    stream.on('response', (received) => (responseHeaders = received));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      if (responseHeaders === undefined) return settle({ kind: 'failed', reason: 'stream ended without a response' });
      settle({ kind: 'response', status: Number(responseHeaders[':status']), headers: responseHeaders, body: Buffer.concat(chunks) });
    });
    stream.on('error', (error: Error) => settle({ kind: 'failed', reason: `stream error: ${error.message}` }));
    // A stream refused after GOAWAY or cut by a dropped connection closes without 'end'.
    stream.on('close', () => settle({ kind: 'failed', reason: `stream closed (code ${stream.rstCode})` }));
    stream.end(body);
  });
}
