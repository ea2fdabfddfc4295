/**
 * The sockets of the MQTT listeners, from accept to session: each accepted socket counts against
 * the pending-handshake bound until Aedes has authenticated its CONNECT (or it closes), and every
 * one is destroyed when the listeners close, so no half-finished connection can keep a shutdown
 * waiting.
 */
import type { Server as TcpServer, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Server as TlsServer, TLSSocket } from 'node:tls';
import type { Aedes } from 'aedes';
import type { Logger } from '../lib/log.js';
import type { Metrics } from '../lib/metrics.js';
import { connectionKey, createHandshakeGate, type ConnectionKey } from './handshake-gate.js';

export interface Admission {
  /** Applies the bound to every socket `server` accepts (before any TLS or HTTP). */
  watch(server: TcpServer): void;
  /** Applies the bound to one socket another server accepted (an upgrade on the API's port); false: it was refused. */
  admit(socket: Socket): boolean;
  /** The MQTT stream Aedes gets for `socket`: its session, once authenticated, settles the socket's handshake. */
  handOver(connection: Duplex, socket: Socket): void;
  destroyAll(): void;
}

/**
 * A connection's key in the gate: the socket itself, except under TLS. A TLS listener admits the
 * raw socket and hands Aedes the TLS socket around it, two objects for one connection, so those
 * are keyed by their addresses, which both report alike. Reading the addresses costs two system
 * calls and a string per connection, which plain sockets (one object from accept to session) skip.
 */
const keyOf = (socket: Socket, isTls: boolean): ConnectionKey => (isTls ? connectionKey(socket) : socket);

export function createAdmission(aedes: Aedes, options: { maxPending: number }, deps: { log: Logger; metrics: Metrics }): Admission {
  const gate = createHandshakeGate({ maxPending: options.maxPending });
  const keyOfConnection = new WeakMap<object, ConnectionKey>();
  const open = new Set<Socket>();
  aedes.on('client', (client) => {
    const key = keyOfConnection.get(client.conn);
    if (key !== undefined) gate.settle(key);
  });
  function admit(socket: Socket, isTls: boolean): boolean {
    const key = keyOf(socket, isTls);
    if (!gate.tryAdmit(key)) {
      deps.metrics.mqttConnectsRefused.inc({ reason: 'pending_handshakes' });
      const remote = connectionKey(socket);
      deps.log.debug({ remote, pending: gate.pending() }, 'connection closed on arrival: too many pending handshakes');
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
      // A TLS server's 'connection' is the raw socket its TLS socket will wrap.
      const isTls = server instanceof TlsServer;
      server.on('connection', (socket: Socket) => {
        if (!admit(socket, isTls)) socket.destroy();
      });
    },
    admit: (socket) => admit(socket, socket instanceof TLSSocket),
    handOver(connection, socket) {
      keyOfConnection.set(connection, keyOf(socket, socket instanceof TLSSocket));
    },
    destroyAll() {
      for (const socket of open) socket.destroy();
    },
  };
}
