import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import type { Aedes } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { listenOn } from '../lib/listen.js';

export const MQTT_WS_PATH = '/mqtt';

export interface Listeners {
  mqttPort: number;
  wsPort: number;
  close(): Promise<void>;
}

/** MQTT over TCP and MQTT over WebSocket (path /mqtt), both handed to the same Aedes. */
export async function startListeners(
  aedes: Aedes,
  options: { host: string; mqttPort: number; wsPort: number; maxPayloadBytes: number },
): Promise<Listeners> {
  const tcp: TcpServer = createTcpServer((socket) => aedes.handle(socket));
  const http: HttpServer = createHttpServer((_req, res) =>
    res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket at /mqtt\n'),
  );
  // MQTT framing adds a few bytes of header and topic to the payload limit.
  // noServer: the upgrade is routed here, so the HTTP server's own errors (EADDRINUSE) stay with listenOn.
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes + 1024 });
  http.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== MQTT_WS_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const stream = createWebSocketStream(ws);
      stream.on('error', () => ws.terminate()); // a client error must not surface as an unhandled stream error
      aedes.handle(stream, req);
    });
  });
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
    async close() {
      for (const client of wss.clients) client.terminate();
      await Promise.all([
        new Promise<void>((resolve) => tcp.close(() => resolve())),
        new Promise<void>((resolve) => wss.close(() => (http.listening ? http.close(() => resolve()) : resolve()))),
      ]);
    },
  };
}
