/**
 * An HTTP proxy in front of the platform's API port, as a corporate proxy or a captive portal
 * sits in front of a phone or a laptop: plain requests (REST, Server-Sent Events) are relayed as
 * they stream, while WebSocket upgrades can be refused (`blockWebSockets`), as those proxies do.
 * `cutAll()` kills every relayed connection at once (the network went away for a moment), and
 * `goDown()`/`comeBack()` take the proxy off and back on the network, as a laptop losing its
 * Wi-Fi.
 */
import { once } from 'node:events';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface HttpProxy {
  /** `http://127.0.0.1:{port}`: the API through the proxy (MQTT over WebSocket at `/mqtt`, when let through). */
  readonly url: string;
  blockWebSockets(blocked: boolean): void;
  cutAll(): void;
  goDown(): Promise<void>;
  comeBack(): Promise<void>;
  stats(): { requests: number; upgradesRefused: number; upgradesRelayed: number };
  close(): Promise<void>;
}

const FORBIDDEN =
  'HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 27\r\n\r\nWebSockets are not allowed\n';

export async function startHttpProxy(options: { target: string; blockWebSockets: boolean; port?: number }): Promise<HttpProxy> {
  const target = new URL(options.target);
  const targetPort = Number(target.port);
  let blocked = options.blockWebSockets;
  const stats = { requests: 0, upgradesRefused: 0, upgradesRelayed: 0 };
  /** Every socket this proxy holds, both sides, so cutAll() and close() leave nothing open. */
  const sockets = new Set<Duplex>();
  const track = (socket: Duplex): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };

  const relayRequest = (req: IncomingMessage, res: ServerResponse) => {
    stats.requests += 1;
    const upstream = request(
      { host: target.hostname, port: targetPort, method: req.method, path: req.url, headers: req.headers, agent: false },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      },
    );
    upstream.on('socket', (socket) => track(socket));
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  };

  const relayUpgrade = (req: IncomingMessage, client: Duplex, head: Buffer) => {
    track(client);
    if (blocked) {
      stats.upgradesRefused += 1;
      client.end(FORBIDDEN, () => client.destroy());
      return;
    }
    stats.upgradesRelayed += 1;
    const upstream: Socket = connect(targetPort, target.hostname);
    track(upstream);
    const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
  };

  let server: Server = createServer(relayRequest);
  let port = options.port ?? 0;
  const listen = async (): Promise<void> => {
    server = createServer(relayRequest);
    server.on('connection', track);
    server.on('upgrade', relayUpgrade);
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as { port: number }).port;
  };
  const cutAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  const stop = async () => {
    cutAll();
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  await listen();

  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    blockWebSockets(value) {
      blocked = value;
    },
    cutAll,
    goDown: stop,
    comeBack: listen,
    stats: () => ({ ...stats }),
    close: stop,
  };
}
