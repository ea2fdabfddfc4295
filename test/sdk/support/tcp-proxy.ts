/**
 * A TCP relay between SDK clients and the broker, for tests that take the network away: `cut()`
 * destroys every relayed connection (a tunnel, a dead radio: both ends see the socket die), and
 * `blackhole()` silently stops relaying on the current connections in both directions, as a NAT
 * that dropped its mapping does (neither end notices until it expects an answer). Connections
 * made afterwards are relayed normally, like a fresh NAT mapping. `goDown()`/`comeBack()` close
 * and reopen the listening port itself: to the clients, the broker is gone (connections die,
 * new ones are refused) and then back on the same port, as after a restart.
 */
import { once } from 'node:events';
import { createConnection, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  /** `mqtt://127.0.0.1:{port}` of the relay. */
  readonly url: string;
  cut(): void;
  blackhole(): void;
  goDown(): Promise<void>;
  comeBack(): Promise<void>;
  /** When each connection was accepted (performance.now()), as the broker behind would see them arrive. */
  acceptedAtMs(): readonly number[];
  close(): Promise<void>;
}

export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const pairs = new Set<{ client: Socket; upstream: Socket; relaying: boolean }>();
  const accepted: number[] = [];
  const server = createServer((client) => {
    accepted.push(performance.now());
    const upstream = createConnection({ host: target.hostname, port: Number(target.port) });
    const pair = { client, upstream, relaying: true };
    pairs.add(pair);
    const relay = (from: Socket, to: Socket) =>
      from.on('data', (chunk) => {
        if (pair.relaying) to.write(chunk);
      });
    relay(client, upstream);
    relay(upstream, client);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', drop);
      socket.on('close', drop);
    }
  });
  const listen = async (onPort: number) => {
    server.listen(onPort, '127.0.0.1');
    await once(server, 'listening');
  };
  await listen(0);
  const { port } = server.address() as { port: number };
  const cut = () => {
    for (const { client, upstream } of pairs) {
      client.destroy();
      upstream.destroy();
    }
  };
  return {
    url: `mqtt://127.0.0.1:${port}`,
    cut,
    blackhole() {
      for (const pair of pairs) pair.relaying = false;
    },
    async goDown() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      cut();
      await closed;
    },
    comeBack: () => listen(port),
    acceptedAtMs: () => accepted,
    async close() {
      cut();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
