/**
 * A carrier NAT in front of a TCP server, for simulated phones: a proxy on 127.0.0.1 where each
 * client connection is one mapping (see nat-mapping.ts) that goes silently after
 * `idleTimeoutMs` without traffic in either direction. After the drop nothing is closed: both
 * sockets stay open and every byte either side sends is discarded, so the server learns of it
 * only through its own keepalive, and the client only when a ping gets no answer
 * (docs/mobile-realities.md#nat-idle-timeouts). One proxy is one network: give each simulated
 * network its own timeout.
 *
 * Time comes from an injected Clock, so tests drop mappings by moving a fake clock while the
 * bytes still travel over real sockets.
 */
import { connect, createServer, type Socket } from 'node:net';
import { realClock, type Clock } from '@mqtt-chat/sdk';
import { createNatMapping, type NatMapping } from './nat-mapping.js';

export interface NatProxyOptions {
  targetHost: string;
  targetPort: number;
  idleTimeoutMs: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /**
   * What happens to a client's bytes after the drop: `'silent'` (default) discards them, as most
   * carrier NATs do; `'reset'` answers with a TCP RST, the other kind
   * docs/mobile-realities.md#nat-idle-timeouts describes. Bytes from the server are discarded
   * either way.
   */
  dropKind?: 'silent' | 'reset';
}

export type NatDirection = 'up' | 'down';

/** For tests and logs: what the NAT did, as it happens. */
export type NatProxyEvent =
  | { kind: 'opened'; mappingId: number }
  | { kind: 'dropped'; mappingId: number; droppedAtMs: number }
  | { kind: 'discarded'; mappingId: number; direction: NatDirection; bytes: number }
  | { kind: 'closed'; mappingId: number };

export interface NatProxyDeps {
  clock?: Clock;
  onEvent?: (event: NatProxyEvent) => void;
}

export interface NatProxyStats {
  mappingsOpened: number;
  mappingsDropped: number;
  /** Connections whose mapping is still alive. */
  mappingsOpen: number;
  /** Client → server bytes forwarded. */
  bytesUp: number;
  /** Server → client bytes forwarded. */
  bytesDown: number;
  /** Bytes either side sent into a dropped mapping. */
  bytesDiscarded: number;
}

export interface NatProxy {
  readonly host: string;
  readonly port: number;
  /** Drops every live mapping now (a network change, a NAT reboot); returns how many. New connections work as usual. */
  dropAll(): number;
  stats(): NatProxyStats;
  /** Stops listening and destroys every socket, dropped or not. */
  close(): Promise<void>;
}

interface Connection {
  mapping: NatMapping;
  client: Socket;
  upstream: Socket;
}

export async function startNatProxy(options: NatProxyOptions, deps: NatProxyDeps = {}): Promise<NatProxy> {
  const clock = deps.clock ?? realClock;
  const host = options.host ?? '127.0.0.1';
  const dropKind = options.dropKind ?? 'silent';
  const emit = deps.onEvent ?? (() => undefined);
  const stats: NatProxyStats = { mappingsOpened: 0, mappingsDropped: 0, mappingsOpen: 0, bytesUp: 0, bytesDown: 0, bytesDiscarded: 0 };
  const connections = new Set<Connection>();
  let nextMappingId = 1;

  function relay(connection: Connection, mappingId: number, direction: NatDirection): void {
    const [from, to] = direction === 'up' ? [connection.client, connection.upstream] : [connection.upstream, connection.client];
    from.on('data', (chunk: Buffer) => {
      if (connection.mapping.pass()) {
        if (direction === 'up') stats.bytesUp += chunk.length;
        else stats.bytesDown += chunk.length;
        if (!to.write(chunk)) {
          from.pause();
          to.once('drain', () => from.resume());
        }
        return;
      }
      stats.bytesDiscarded += chunk.length;
      emit({ kind: 'discarded', mappingId, direction, bytes: chunk.length });
      if (direction === 'up' && dropKind === 'reset') connection.client.resetAndDestroy();
    });
    // A FIN is a packet too: it crosses a live mapping; after the drop it is lost, and only our side of that socket closes.
    from.on('end', () => (connection.mapping.pass() ? to.end() : from.end()));
    from.on('error', () => {
      // A reset on a live connection resets the other side too; after the drop the other side never hears of it.
      if (connection.mapping.isOpen()) to.destroy();
    });
    from.on('close', () => {
      const isGone = connection.client.destroyed && connection.upstream.destroyed;
      if (isGone && connections.delete(connection)) {
        if (connection.mapping.isOpen()) stats.mappingsOpen--;
        connection.mapping.close();
        emit({ kind: 'closed', mappingId });
      }
    });
  }

  function accept(client: Socket): void {
    const mappingId = nextMappingId++;
    const upstream = connect({ host: options.targetHost, port: options.targetPort, allowHalfOpen: true });
    const mapping = createNatMapping(
      {
        clock,
        onDrop: (droppedAtMs) => {
          stats.mappingsDropped++;
          stats.mappingsOpen--;
          // Whatever was waiting for a drain will never be forwarded: keep reading, to discard it.
          client.resume();
          upstream.resume();
          emit({ kind: 'dropped', mappingId, droppedAtMs });
        },
      },
      { idleTimeoutMs: options.idleTimeoutMs },
    );
    const connection: Connection = { client, upstream, mapping };
    connections.add(connection);
    stats.mappingsOpened++;
    stats.mappingsOpen++;
    relay(connection, mappingId, 'up');
    relay(connection, mappingId, 'down');
    emit({ kind: 'opened', mappingId });
  }

  const server = createServer({ allowHalfOpen: true }, accept);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('NAT proxy: no TCP address after listen');

  return {
    host,
    port: address.port,
    dropAll() {
      let dropped = 0;
      for (const { mapping } of connections) {
        if (!mapping.isOpen()) continue;
        mapping.drop();
        dropped++;
      }
      return dropped;
    },
    stats: () => ({ ...stats }),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const { mapping, client, upstream } of connections) {
        mapping.close();
        client.destroy();
        upstream.destroy();
      }
      connections.clear();
      await closed;
    },
  };
}
