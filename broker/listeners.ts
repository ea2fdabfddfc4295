/**
 * The broker's listeners: MQTT over TCP and over WebSocket (path /mqtt), and the same two over
 * TLS when a certificate is configured, all handed to the same Aedes. Each closes what it does
 * not serve (other paths, bad upgrades, garbage, idle or half-finished handshakes) and counts
 * unfinished handshakes against one per-node bound.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type SecureContextOptions, type Server as TlsServer } from 'node:tls';
import type { Aedes } from 'aedes';
import { WebSocketServer } from 'ws';
import { listenOn } from '../lib/listen.js';
import type { Logger } from '../lib/log.js';
import type { Metrics } from '../lib/metrics.js';
import type { ReportDisconnect } from './disconnects.js';
import { guardFrames, type ConnectionLimits } from './frame-guard.js';
import { connectionKey, createHandshakeGate } from './handshake-gate.js';
import { loadTlsCredentials, type TlsFiles } from './tls-files.js';
import { webSocketConnection } from './ws-connection.js';

export const MQTT_WS_PATH = '/mqtt';

/** Room for the topic, protobuf framing and MQTT headers around a body of the maximum size. */
export const PACKET_OVERHEAD_BYTES = 4096;

/** A port, 0 for a free one, or 'off'. */
export type ListenerPort = number | 'off';
export type ListenerKind = 'mqtt' | 'ws' | 'mqtts' | 'wss';

export interface ListenerOptions {
  host: string;
  ports: Record<ListenerKind, ListenerPort>;
  /** Without it the TLS listeners (mqtts, wss) stay off. */
  tls: TlsFiles | undefined;
  maxPayloadBytes: number;
  maxOutgoingBytes: number;
  connectTimeoutMs: number;
  maxPendingConnects: number;
}

export interface Listeners {
  /** The bound port of every listener that is on. */
  readonly ports: Partial<Record<ListenerKind, number>>;
  /** Re-reads the certificate files for new TLS connections; live ones keep theirs. Throws (and keeps the old) when the files are unusable. */
  reloadTls(): Promise<void>;
  close(): Promise<void>;
}

/** The client id of the connection's CONNECT, if one came: Aedes sets `conn.client` (aedes/lib/client.js). */
const clientIdOf = (connection: Duplex): string | undefined =>
  (connection as Duplex & { client?: { id?: string | null } }).client?.id ?? undefined;

const VARIABLE: Record<ListenerKind, string> = { mqtt: 'MQTT_PORT', ws: 'WS_PORT', mqtts: 'MQTTS_PORT', wss: 'WSS_PORT' };
const NOT_FOUND = 'HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

export async function startListeners(
  aedes: Aedes,
  options: ListenerOptions,
  deps: { log: Logger; metrics: Metrics; reportDisconnect: ReportDisconnect },
): Promise<Listeners> {
  const { log } = deps;
  const limits: ConnectionLimits = {
    maxPacketBytes: options.maxPayloadBytes + PACKET_OVERHEAD_BYTES,
    maxOutgoingBytes: options.maxOutgoingBytes,
  };
  const gate = createHandshakeGate({ maxPending: options.maxPendingConnects });
  const keyOfConnection = new WeakMap<object, string>();
  const open = new Set<Socket>();
  aedes.on('client', (client) => {
    const key = keyOfConnection.get(client.conn);
    if (key !== undefined) gate.settle(key);
  });

  /** Every accepted socket (before any TLS or HTTP): bounded while it is not a session, destroyed at close. */
  function admitConnections(server: TcpServer): void {
    server.on('connection', (socket: Socket) => {
      const key = connectionKey(socket);
      if (!gate.tryAdmit(key)) {
        deps.metrics.mqttConnectsRefused.inc({ reason: 'pending_handshakes' });
        log.debug({ remote: key, pending: gate.pending() }, 'connection closed on arrival: too many pending handshakes');
        socket.destroy();
        return;
      }
      open.add(socket);
      socket.once('close', () => {
        gate.settle(key);
        open.delete(socket);
      });
    });
  }

  const handleMqtt = (socket: Socket) => {
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    const connection: Duplex = guardFrames(socket, limits, (reason) =>
      deps.reportDisconnect(reason, { clientId: clientIdOf(connection), remote, transport: 'tcp', ...limits }),
    );
    keyOfConnection.set(connection, connectionKey(socket));
    aedes.handle(connection);
  };

  // noServer: the upgrade is routed here, so the HTTP server's own errors (EADDRINUSE) stay with listenOn.
  // One WebSocket message carries one or more MQTT packets; the ws limit bounds them the same way.
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxPacketBytes });
  const handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== MQTT_WS_PATH) {
      // Answer, then close both ways: ending only our side left the socket open for good once the
      // client sent more bytes (nothing reads them after an upgrade, so its FIN was never seen).
      socket.end(NOT_FOUND, () => socket.destroy());
      setTimeout(() => socket.destroy(), options.connectTimeoutMs).unref();
      return;
    }
    const key = connectionKey(socket as Socket);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const remote = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
      const connection: Duplex = webSocketConnection(ws, limits, (reason) =>
        deps.reportDisconnect(reason, { clientId: clientIdOf(connection), remote, transport: 'websocket', ...limits }),
      );
      keyOfConnection.set(connection, key);
      aedes.handle(connection, req);
    });
  };
  /** Only upgrades are served; any other request is answered and the connection closed. */
  const configureHttp = <S extends HttpServer | HttpsServer>(server: S): S => {
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
  };
  const httpOptions = { connectionsCheckingInterval: Math.min(1000, options.connectTimeoutMs) };
  const answerPlainRequest = (_req: IncomingMessage, res: ServerResponse) =>
    res.writeHead(426, { 'content-type': 'text/plain', connection: 'close' }).end('MQTT over WebSocket at /mqtt\n');

  let credentials: SecureContextOptions | undefined = options.tls === undefined ? undefined : await loadTlsCredentials(options.tls);
  const tlsServers: TlsServer[] = [];
  const withTls = (server: TlsServer) => {
    tlsServers.push(server);
    return server;
  };
  const tlsOptions = () => ({ ...credentials, handshakeTimeout: options.connectTimeoutMs });
  const makers: Record<ListenerKind, () => TcpServer> = {
    mqtt: () => createTcpServer(handleMqtt),
    ws: () => configureHttp(createHttpServer(httpOptions, answerPlainRequest)),
    mqtts: () => withTls(createTlsServer(tlsOptions(), handleMqtt)),
    wss: () => withTls(configureHttp(createHttpsServer({ ...tlsOptions(), ...httpOptions }, answerPlainRequest))),
  };

  const started: { kind: ListenerKind; server: TcpServer; port: number }[] = [];
  const closeServers = async () => {
    for (const ws of wss.clients) ws.terminate();
    for (const socket of open) socket.destroy();
    await Promise.all(started.map(({ server }) => new Promise<void>((resolve) => server.close(() => resolve()))));
    wss.close();
  };
  const kinds = (Object.keys(makers) as ListenerKind[]).filter((kind) => {
    const isTls = kind === 'mqtts' || kind === 'wss';
    return options.ports[kind] !== 'off' && (!isTls || credentials !== undefined);
  });
  for (const kind of kinds) {
    const server = makers[kind]();
    admitConnections(server);
    try {
      started.push({ kind, server, port: await listenOn(server, options.ports[kind] as number, options.host, VARIABLE[kind]) });
    } catch (error) {
      await closeServers();
      throw error;
    }
  }

  return {
    ports: Object.fromEntries(started.map(({ kind, port }) => [kind, port])),
    async reloadTls() {
      if (options.tls === undefined) return;
      credentials = await loadTlsCredentials(options.tls);
      for (const server of tlsServers) server.setSecureContext(credentials);
      log.info({ certFile: options.tls.certFile }, 'TLS certificate reloaded');
    },
    close: closeServers,
  };
}
