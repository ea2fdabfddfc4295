/**
 * HTTP Upgrades on the API's port. In the all-in-one platform, `/mqtt` is MQTT over WebSocket
 * (the broker serves it exactly as on its own WebSocket listener), so one origin serves the web
 * page, REST and MQTT. Anything else, and every upgrade on a standalone API, is answered 404 and
 * the socket closed both ways: nothing reads an upgraded socket, so ending only our side would
 * leave it open.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

const NOT_FOUND = 'HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

export function refuseUpgrade(_req: IncomingMessage, socket: Duplex): void {
  socket.on('error', () => socket.destroy());
  socket.end(NOT_FOUND, () => socket.destroy());
}

export function routeUpgrades(server: Server, mqttOverWebSocket: UpgradeHandler | undefined): void {
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => (mqttOverWebSocket ?? refuseUpgrade)(req, socket, head));
}
