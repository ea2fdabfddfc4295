/**
 * The HTTP side of MQTT over WebSocket: an upgrade to /mqtt becomes an MQTT connection; anything
 * else is answered and closed (another path: 404; a plain request: 426; not HTTP: closed), and
 * a socket that has not upgraded within the connect timeout is closed.
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { ReportDisconnect } from './disconnects.js';
import type { ConnectionLimits } from './frame-guard.js';
import { webSocketConnection } from './ws-connection.js';

export const MQTT_WS_PATH = '/mqtt';
const NOT_FOUND = 'HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

export const mqttHttpServerOptions = (connectTimeoutMs: number) => ({ connectionsCheckingInterval: Math.min(1000, connectTimeoutMs) });

/** The request handler: only upgrades are served. */
export const answerPlainRequest = (_req: IncomingMessage, res: ServerResponse): void =>
  void res.writeHead(426, { 'content-type': 'text/plain', connection: 'close' }).end(`MQTT over WebSocket at ${MQTT_WS_PATH}\n`);

export interface WebSocketUpgrades {
  /** Makes `server` hand upgrades to /mqtt to `onConnection` and close everything else it does not serve. */
  serve<S extends HttpServer | HttpsServer>(server: S): S;
  /** One upgrade from a server that is not ours (the API's port): /mqtt to `onConnection`, any other path 404 and closed. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Ends every WebSocket (at shutdown). */
  terminateAll(): void;
}

export function createWebSocketUpgrades(
  options: { limits: ConnectionLimits; connectTimeoutMs: number },
  deps: { reportDisconnect: ReportDisconnect; onConnection(connection: Duplex, socket: Socket, req: IncomingMessage): void },
): WebSocketUpgrades {
  // noServer: the upgrade is routed here, so the HTTP server's own errors (EADDRINUSE) stay with listenOn.
  // One WebSocket message carries one or more MQTT packets; the ws limit bounds them the same way.
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.limits.maxPacketBytes });

  const handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== MQTT_WS_PATH) {
      // Answer, then close both ways: ending only our side left the socket open for good once the
      // client sent more bytes (nothing reads them after an upgrade, so its FIN was never seen).
      socket.end(NOT_FOUND, () => socket.destroy());
      setTimeout(() => socket.destroy(), options.connectTimeoutMs).unref();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const connection: Duplex = webSocketConnection(ws, options.limits, (reason) =>
        deps.reportDisconnect(reason, {
          clientId: clientIdOf(connection),
          remote: remoteOf(req.socket),
          transport: 'websocket',
          ...options.limits,
        }),
      );
      deps.onConnection(connection, socket as Socket, req);
    });
  };

  return {
    serve(server) {
      server.headersTimeout = options.connectTimeoutMs;
      server.requestTimeout = options.connectTimeoutMs;
      server.timeout = options.connectTimeoutMs; // idle sockets, with no request at all
      server.on('timeout', (socket: Duplex) => {
        deps.reportDisconnect('connect_timeout', { transport: 'websocket' });
        socket.destroy();
      });
      server.on('clientError', (_error, socket: Duplex) => socket.destroy());
      server.on('upgrade', handleUpgrade);
      return server;
    },
    handleUpgrade,
    terminateAll() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}

/** The client id of the connection's CONNECT, if one came: Aedes sets `conn.client` (aedes/lib/client.js). */
export const clientIdOf = (connection: Duplex): string | undefined =>
  (connection as Duplex & { client?: { id?: string | null } }).client?.id ?? undefined;

/** The peer as `address:port`, read when needed (a socket keeps its peer's address once read, after it closes too). */
export const remoteOf = (socket: Socket): string => `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
