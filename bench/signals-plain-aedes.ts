/**
 * The baseline broker of bench:signals, bench:broker and bench:connections, run as a child
 * process: a bare Aedes (in memory, no auth, no ACL, no stamping, no rate limit) on a TCP
 * listener, and on a WebSocket listener too when PLAIN_AEDES_WS=1. Unlike `plain-aedes.ts` (the
 * durable bench's, which keeps Node's Nagle default for its saturation ceiling) it sets
 * TCP_NODELAY like the platform's listeners, so both brokers pay the same per-packet socket
 * writes and the difference between them is the platform's own work.
 * Prints "plain Aedes <version> on mqtt://host:port [ws ws://host:port]" when it listens; exits on SIGTERM.
 */
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { Aedes } from 'aedes';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { listenOn } from '../lib/listen.js';

const HOST = '127.0.0.1';
// Client ids `{userId}:{deviceId}` of the bench's 16-character user ids; Aedes' default is 23.
const MAX_CLIENT_ID_LENGTH = 129;

const broker = await Aedes.createBroker({ maxClientsIdLength: MAX_CLIENT_ID_LENGTH });
const server = createServer((socket) => {
  socket.setNoDelay(true);
  broker.handle(socket);
});
const port = await listenOn(server, 0, HOST, 'plain Aedes port');
let wsText = '';
const httpServer = createHttpServer();
if (process.env['PLAIN_AEDES_WS'] === '1') {
  const wss = new WebSocketServer({ server: httpServer });
  wss.on('connection', (ws) => broker.handle(createWebSocketStream(ws)));
  wsText = ` ws ws://${HOST}:${await listenOn(httpServer, 0, HOST, 'plain Aedes WebSocket port')}`;
}
process.stdout.write(`plain Aedes ${await aedesVersion()} on mqtt://${HOST}:${port}${wsText}\n`);

process.once('SIGTERM', () => {
  server.close();
  httpServer.close();
  broker.close(() => process.exit(0));
});

async function aedesVersion(): Promise<string> {
  const manifest = JSON.parse(await readFile(new URL('./package.json', import.meta.resolve('aedes')), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : '?';
}
