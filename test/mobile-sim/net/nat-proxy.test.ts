/**
 * The NAT proxy over real sockets on 127.0.0.1, in front of a small TCP echo server. Mappings
 * are dropped by moving a fake clock, so nothing here waits on wall-clock time; "nothing arrived"
 * is proven by awaiting the proxy's `discarded` event, after which the byte cannot travel on.
 */
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { realClock, type Clock } from '@mqtt-chat/sdk';
import { startNatProxy, type NatProxy, type NatProxyOptions } from '../../../mobile-sim/net/nat-proxy.js';
import { createVirtualClock } from '../../../devtools/index.js';
import { createNatEventLog } from './nat-event-log.js';

const IDLE_MS = 120_000;

interface EchoServer {
  port: number;
  /** Server-side sockets, in accept order. */
  sockets: Socket[];
  /** Everything the server received, per socket. */
  received: string[];
  close(): Promise<void>;
}

async function startEchoServer(): Promise<EchoServer> {
  const sockets: Socket[] = [];
  const received: string[] = [];
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    const index = sockets.push(socket) - 1;
    received[index] = '';
    socket.on('data', (chunk: Buffer) => {
      received[index] += chunk.toString();
      socket.write(chunk);
    });
    socket.on('end', () => socket.end());
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return {
    port: address.port,
    sockets,
    received,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A client socket that records what it receives and whether it was told the connection ended. */
async function openClient(port: number) {
  const socket = connect({ host: '127.0.0.1', port });
  let received = '';
  const seen = { end: false, close: false };
  const errors: NodeJS.ErrnoException[] = [];
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  socket.on('end', () => (seen.end = true));
  socket.on('close', () => (seen.close = true));
  socket.on('error', (error: NodeJS.ErrnoException) => errors.push(error));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await once(socket, 'connect');
  return {
    socket,
    /** Resolves when the socket has closed, whether or not with an error (events.once would reject on one). */
    closed,
    seen,
    errors,
    received: () => received,
    /** Sends `text` and resolves once the echo is back. */
    async echo(text: string): Promise<void> {
      const want = received + text;
      socket.write(text);
      while (received !== want) await once(socket, 'data');
    },
  };
}

const opened: { proxy: NatProxy | undefined; echo: EchoServer | undefined; sockets: Socket[] } = {
  proxy: undefined,
  echo: undefined,
  sockets: [],
};

async function setup(options: Partial<NatProxyOptions> = {}, clock: Clock = createVirtualClock()) {
  const echo = await startEchoServer();
  const log = createNatEventLog();
  const proxy = await startNatProxy(
    { targetHost: '127.0.0.1', targetPort: echo.port, idleTimeoutMs: IDLE_MS, ...options },
    { clock, onEvent: log.onEvent },
  );
  opened.proxy = proxy;
  opened.echo = echo;
  const client = async () => {
    const c = await openClient(proxy.port);
    opened.sockets.push(c.socket);
    return c;
  };
  return { echo, log, proxy, client };
}

afterEach(async () => {
  for (const socket of opened.sockets.splice(0)) socket.destroy();
  await opened.proxy?.close();
  await opened.echo?.close();
  opened.proxy = undefined;
  opened.echo = undefined;
});

describe('NAT proxy', () => {
  it('forwards bytes both ways on 127.0.0.1 and counts them', async () => {
    const { proxy, client, echo } = await setup();
    expect(proxy.host).toBe('127.0.0.1');
    const c = await client();
    await c.echo('hello');
    expect(echo.received).toEqual(['hello']);
    expect(proxy.stats()).toEqual({ mappingsOpened: 1, mappingsDropped: 0, mappingsOpen: 1, bytesUp: 5, bytesDown: 5, bytesDiscarded: 0 });
  });

  it('drops a mapping idle for idleTimeoutMs silently: both sockets stay open and every byte is discarded', async () => {
    const clock = createVirtualClock();
    const { proxy, client, echo, log } = await setup({}, clock);
    const c = await client();
    await c.echo('hello');

    clock.advance(IDLE_MS);
    expect(log.events).toContainEqual({ kind: 'dropped', mappingId: 1, droppedAtMs: IDLE_MS });

    const lostUp = log.next((e) => e.kind === 'discarded' && e.direction === 'up');
    c.socket.write('PINGREQ');
    expect(await lostUp).toEqual({ kind: 'discarded', mappingId: 1, direction: 'up', bytes: 7 });
    expect(echo.received).toEqual(['hello']);

    const lostDown = log.next((e) => e.kind === 'discarded' && e.direction === 'down');
    echo.sockets[0]!.write('message for a phone that is not there');
    await lostDown;
    expect(c.received()).toBe('hello');

    expect(c.seen).toEqual({ end: false, close: false });
    expect(c.socket.destroyed).toBe(false);
    expect(echo.sockets[0]!.destroyed).toBe(false);
    expect(proxy.stats()).toMatchObject({ mappingsDropped: 1, mappingsOpen: 0, bytesDiscarded: 7 + 37 });
  });

  it('keeps a mapping alive while packets pass in either direction', async () => {
    const clock = createVirtualClock();
    const { client, echo, log } = await setup({}, clock);
    const c = await client();
    clock.advance(IDLE_MS - 1);
    await c.echo('up and down');
    clock.advance(IDLE_MS - 1);
    // Server → client only: a chat message keeps the mapping alive as well as a ping does.
    echo.sockets[0]!.write('push');
    while (c.received() !== 'up and downpush') await once(c.socket, 'data');
    clock.advance(IDLE_MS - 1);
    expect(log.events.filter((e) => e.kind === 'dropped')).toEqual([]);
    clock.advance(1);
    expect(log.events.filter((e) => e.kind === 'dropped')).toEqual([{ kind: 'dropped', mappingId: 1, droppedAtMs: 3 * IDLE_MS - 2 }]);
  });

  it('drops every mapping on dropAll(), and a new connection through it works', async () => {
    const { proxy, client, log } = await setup();
    const first = await client();
    const second = await client();
    await first.echo('a');
    await second.echo('b');
    expect(proxy.dropAll()).toBe(2);
    expect(proxy.dropAll()).toBe(0);

    const lost = log.next((e) => e.kind === 'discarded' && e.mappingId === 1);
    first.socket.write('x');
    await lost;

    const third = await client();
    await third.echo('after the network change');
    expect(proxy.stats()).toMatchObject({ mappingsOpened: 3, mappingsDropped: 2, mappingsOpen: 1 });
  });

  it('passes FIN both ways on a live mapping and forgets the connection once both sides closed', async () => {
    const { proxy, client, log } = await setup();
    const c = await client();
    await c.echo('bye');
    const closed = log.next((e) => e.kind === 'closed');
    c.socket.end();
    await once(c.socket, 'close');
    expect(c.seen.end).toBe(true); // the echo server's FIN came back through the proxy
    expect(await closed).toEqual({ kind: 'closed', mappingId: 1 });
    expect(proxy.stats()).toMatchObject({ mappingsOpen: 0, mappingsDropped: 0 });
  });

  it('loses the FIN of a client whose mapping is gone: the server never hears of the close', async () => {
    const clock = createVirtualClock();
    const { client, echo } = await setup({}, clock);
    const c = await client();
    await c.echo('hi');
    clock.advance(IDLE_MS);
    const serverSide = echo.sockets[0]!;
    let serverSawEnd = false;
    serverSide.on('end', () => (serverSawEnd = true));
    c.socket.end();
    await once(c.socket, 'close'); // the proxy closed its own side on the FIN, and forwarded nothing
    expect(serverSawEnd).toBe(false);
    expect(serverSide.destroyed).toBe(false);
  });

  it("answers a client's bytes after the drop with a reset when dropKind is 'reset'", async () => {
    const clock = createVirtualClock();
    const { client, echo } = await setup({ dropKind: 'reset' }, clock);
    const c = await client();
    await c.echo('hi');
    clock.advance(IDLE_MS);
    c.socket.write('anyone?');
    await c.closed;
    expect(c.errors.map((e) => e.code)).toEqual(['ECONNRESET']);
    expect(echo.sockets[0]!.destroyed).toBe(false);
  });

  it('destroys every socket on close(), dropped or not', async () => {
    const clock = createVirtualClock();
    const { proxy, client, echo } = await setup({}, clock);
    const dropped = await client();
    clock.advance(IDLE_MS);
    const live = await client();
    await live.echo('x');
    const serverSidesClosed = echo.sockets.map((s) => new Promise((resolve) => s.once('close', resolve)));
    await proxy.close();
    await dropped.closed;
    await live.closed;
    await Promise.all(serverSidesClosed);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('drops on the real clock too', async () => {
    const { client, log } = await setup({ idleTimeoutMs: 50 }, realClock);
    const dropped = log.next((e) => e.kind === 'dropped');
    const c = await client();
    await dropped;
    const lost = log.next((e) => e.kind === 'discarded');
    c.socket.write('late');
    expect(await lost).toMatchObject({ direction: 'up', bytes: 4 });
    expect(c.received()).toBe('');
  });
});
