/**
 * The sockets of the MQTT listeners, from accept to session: each accepted socket counts against
 * the pending-handshake bound until Aedes has authenticated its CONNECT (or it closes), and every
 * one is destroyed when the listeners close, so no half-finished connection can keep a shutdown
 * waiting.
 */
import type { Server as TcpServer, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Aedes } from 'aedes';
import type { Logger } from '../lib/log.js';
import type { Metrics } from '../lib/metrics.js';
import { connectionKey, createHandshakeGate } from './handshake-gate.js';

export interface Admission {
  /** Applies the bound to every socket `server` accepts (before any TLS or HTTP). */
  watch(server: TcpServer): void;
  /** Applies the bound to one socket another server accepted (an upgrade on the API's port); false: it was refused. */
  admit(socket: Socket): boolean;
  /** The MQTT stream Aedes gets for `socket`: its session, once authenticated, settles the socket's handshake. */
  handOver(connection: Duplex, socket: Socket): void;
  destroyAll(): void;
}

export function createAdmission(aedes: Aedes, options: { maxPending: number }, deps: { log: Logger; metrics: Metrics }): Admission {
  const gate = createHandshakeGate({ maxPending: options.maxPending });
  const keyOfConnection = new WeakMap<object, string>();
  const open = new Set<Socket>();
  aedes.on('client', (client) => {
    const key = keyOfConnection.get(client.conn);
    if (key !== undefined) gate.settle(key);
  });
  function admit(socket: Socket): boolean {
    const key = connectionKey(socket);
    if (!gate.tryAdmit(key)) {
      deps.metrics.mqttConnectsRefused.inc({ reason: 'pending_handshakes' });
      deps.log.debug({ remote: key, pending: gate.pending() }, 'connection closed on arrival: too many pending handshakes');
      return false;
    }
    open.add(socket);
    socket.once('close', () => {
      gate.settle(key);
      open.delete(socket);
    });
    return true;
  }

  return {
    watch(server) {
      server.on('connection', (socket: Socket) => {
        if (!admit(socket)) socket.destroy();
      });
    },
    admit,
    handOver(connection, socket) {
      keyOfConnection.set(connection, connectionKey(socket));
    },
    destroyAll() {
      for (const socket of open) socket.destroy();
    },
  };
}
