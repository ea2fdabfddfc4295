import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import type { Aedes } from 'aedes';
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws';
import { listenOn } from '../lib/listen.js';
import type { Logger } from '../lib/log.js';
import type { Duplex } from 'node:stream';
import { guardFrames } from './frame-guard.js';

export const MQTT_WS_PATH = '/mqtt';

export interface Listeners {
  mqttPort: number;
  wsPort: number;
  /**
   * Serves an HTTP Upgrade that arrived on another server (the API's port): /mqtt becomes an
   * MQTT connection exactly as on the WebSocket listener, any other path is answered 404 and closed.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
}

/** Room for the topic, protobuf framing and MQTT headers around a body of the maximum size. */
export const PACKET_OVERHEAD_BYTES = 4096;

/** MQTT over TCP and MQTT over WebSocket (path /mqtt), both handed to the same Aedes. */
export async function startListeners(
  aedes: Aedes,
  options: { host: string; mqttPort: number; wsPort: number; maxPayloadBytes: number },
  log: Logger,
): Promise<Listeners> {
  const maxPacketBytes = options.maxPayloadBytes + PACKET_OVERHEAD_BYTES;
  const tcp: TcpServer = createTcpServer((socket) => {
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    aedes.handle(
      guardFrames(socket, maxPacketBytes, (verdict) =>
        log.info({ remote, verdict, maxPacketBytes }, 'mqtt packet refused, connection closed'),
      ),
    );
  });
  const http: HttpServer = createHttpServer((_req, res) =>
    res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket at /mqtt\n'),
  );
  // noServer: the upgrade is routed here, so the HTTP server's own errors (EADDRINUSE) stay with listenOn.
  // One WebSocket message carries one or more MQTT packets; the ws limit bounds them the same way.
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxPacketBytes });
  const handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== MQTT_WS_PATH) {
      // Answer, then close both ways: nothing reads an upgraded socket, so ending only our side would leave it open.
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', () => socket.destroy());
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const stream = createWebSocketStream(ws);
      coalesceCorkedWrites(stream, ws);
      stream.on('error', () => ws.terminate()); // a client error must not surface as an unhandled stream error
      aedes.handle(stream, req);
    });
  };
  http.on('upgrade', handleUpgrade);
  const mqttPort = await listenOn(tcp, options.mqttPort, options.host, 'MQTT_PORT');
  let wsPort: number;
  try {
    wsPort = await listenOn(http, options.wsPort, options.host, 'WS_PORT');
  } catch (error) {
    tcp.close();
    throw error;
  }
  return {
    mqttPort,
    wsPort,
    handleUpgrade,
    async close() {
      for (const client of wss.clients) client.terminate();
      await Promise.all([
        new Promise<void>((resolve) => tcp.close(() => resolve())),
        new Promise<void>((resolve) => wss.close(() => (http.listening ? http.close(() => resolve()) : resolve()))),
      ]);
    },
  };
}

/**
 * One WebSocket frame per MQTT packet. mqtt-packet writes a packet in pieces (header, topic,
 * payload…) inside a cork; `createWebSocketStream` has no `_writev`, so each piece left as its
 * own frame (5 for a typing PUBLISH: 2-6 bytes of frame header each, and a send each). With a
 * `_writev` the corked pieces reach the socket as one binary frame.
 */
function coalesceCorkedWrites(stream: Duplex, ws: WebSocket): void {
  // As ws's own _write does: send() reports a closed socket through the callback.
  stream._writev = (chunks, callback) => ws.send(Buffer.concat(chunks.map(({ chunk }) => chunk as Buffer)), callback);
}
