/**
 * The listener under both stubs: one port that speaks HTTP/2 (as the APNs client uses) and
 * HTTP/1.1 (fetch, curl, another process reading the control surface), in clear text or over TLS.
 * In clear text the first bytes decide: every HTTP/2 connection opens with the preface
 * `PRI * HTTP/2.0` (RFC 9113 §3.4), which no HTTP/1 method starts with.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import http2, { type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import net, { type Socket } from 'node:net';
import { listenOn } from '../lib/listen.js';

const PREFACE_START = Buffer.from('PRI', 'latin1');
/** Bodies beyond this are cut off: both providers' limits are a few KiB. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface StubRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Name/value pairs as received, to spot repeated headers. */
  rawHeaders: string[];
  body: Buffer;
  /** Identifies the connection (the HTTP/2 session or the socket) for per-connection state. */
  connection: object;
}

export interface StubReply {
  send(status: number, body?: unknown, headers?: Record<string, string>): void;
  /** Answers, then closes the connection gracefully: GOAWAY on HTTP/2, `connection: close` on HTTP/1.1. */
  sendAndShutdown(status: number, body?: unknown, headers?: Record<string, string>): void;
  /** Drops the connection without answering. */
  drop(): void;
  /** Never answers; the client's timeout or the stub's close ends it. */
  hang(): void;
}

export type StubHandler = (request: StubRequest, reply: StubReply) => void | Promise<void>;

/** A PEM certificate and key for a stub served over TLS (a test makes them with `openssl`; a client trusts `certPem` as its CA). */
export interface StubTlsCertificate {
  keyPem: string;
  certPem: string;
}

export interface StubServer {
  url: string;
  close(): Promise<void>;
}

export async function startStubServer(
  handler: StubHandler,
  options: { host?: string; port?: number; tls?: StubTlsCertificate },
): Promise<StubServer> {
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<Socket>();
  const onRequest = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => {
    void dispatch(handler, req, res).catch(() => res.destroy());
  };
  // Over TLS, ALPN picks the protocol; in clear text the connection's first bytes do.
  const server =
    options.tls === undefined
      ? createSniffingServer(onRequest)
      : http2.createSecureServer({ key: options.tls.keyPem, cert: options.tls.certPem, allowHTTP1: true }, onRequest);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const port = await listenOn(server, options.port ?? 0, host, 'stub port');
  return {
    url: `${options.tls === undefined ? 'http' : 'https'}://${host}:${port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function createSniffingServer(
  onRequest: (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => void,
): net.Server {
  const h1 = http.createServer(onRequest);
  const h2 = http2.createServer(onRequest);
  return net.createServer((socket) => {
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      if (head.length < PREFACE_START.length) return;
      socket.off('data', onData);
      socket.pause();
      socket.unshift(head);
      if (head.subarray(0, PREFACE_START.length).equals(PREFACE_START)) {
        // The HTTP/2 session reads the socket's native handle and drains the unshifted bytes itself on the next tick.
        h2.emit('connection', socket);
      } else {
        h1.emit('connection', socket);
        socket.resume();
      }
    };
    socket.on('data', onData);
  });
}

async function dispatch(handler: StubHandler, req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return reply(req, res).send(413, { reason: 'PayloadTooLarge' });
    chunks.push(chunk);
  }
  const url = new URL(req.url ?? '/', 'http://stub');
  const connection = 'stream' in req ? (req.stream.session ?? req.socket) : req.socket;
  const request: StubRequest = {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    body: Buffer.concat(chunks),
    connection,
  };
  await handler(request, reply(req, res));
}

function reply(req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): StubReply {
  const isHttp2 = 'stream' in req;
  const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    const contentType: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' };
    res.writeHead(status, { ...contentType, ...headers });
    res.end(text);
  };
  return {
    send,
    sendAndShutdown(status, body, headers = {}) {
      if (!isHttp2) return send(status, body, { ...headers, connection: 'close' });
      send(status, body, headers);
      req.stream.session?.close();
    },
    drop() {
      if (isHttp2) req.stream.session?.destroy();
      else req.socket.destroy();
    },
    hang() {},
  };
}

/** A percent-decoded path segment; a malformed escape stays as sent, for the caller's checks to refuse. */
export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
