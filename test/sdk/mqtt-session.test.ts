/**
 * The MQTT session against a plain in-process Aedes: what it acknowledges. A PUBACK tells the
 * platform the device has the message (the push planner then sends it no push,
 * docs/push.md#who-is-pushed-and-when), so the session acknowledges only what it handed to the SDK,
 * never a delivery that raced its close.
 */
import { once } from 'node:events';
import { createServer, Socket, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { realClock } from '../../sdk/src/clock.js';
import { openMqttSession, type MqttSession } from '../../sdk/src/mqtt-session.js';
import type { SessionEnd } from '../../sdk/src/reconnect-policy.js';

const TOPIC = 'chat/room/r1/msg';

let broker: Aedes;
let server: Server;
let url: string;
/** The client of every PUBACK the broker received. */
let acks: string[];

beforeEach(async () => {
  broker = await Aedes.createBroker();
  acks = [];
  broker.on('ack', (packet, client) => {
    acks.push(client.id);
  });
  server = createServer((socket) => broker.handle(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no broker address');
  url = `mqtt://127.0.0.1:${address.port}`;
});

afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await new Promise<void>((resolve) => broker.close(() => resolve()));
});

/** A session subscribed to TOPIC; `endOnNextPacket` ends it from inside the read of the next packet, before MQTT.js handles it. */
async function openSubscribed(clientId: string) {
  const received: string[] = [];
  let isEndingOnNextPacket = false;
  let resolveEnded: (end: SessionEnd) => void = () => undefined;
  const ended = new Promise<SessionEnd>((resolve) => (resolveEnded = resolve));
  let resolveConnected: () => void = () => undefined;
  const connected = new Promise<void>((resolve) => (resolveConnected = resolve));
  const session: MqttSession = openMqttSession(
    { clock: realClock },
    {
      url,
      clientId,
      username: clientId,
      password: 'unused',
      keepaliveSeconds: 600,
      connectTimeoutMs: 5_000,
      will: { topic: `chat/presence/${clientId}/phone`, payload: new Uint8Array([0]) },
    },
    {
      connected: resolveConnected,
      message: (_topic, payload) => received.push(Buffer.from(payload).toString()),
      packetSent: () => undefined,
      packetReceived: () => {
        if (isEndingOnNextPacket) session.end({ kind: 'closedByApp' }, true);
      },
      pingResponse: () => undefined,
      ended: resolveEnded,
    },
  );
  await connected;
  await session.subscribe([TOPIC], 1);
  return { session, received, ended, endOnNextPacket: () => (isEndingOnNextPacket = true) };
}

const publish = (payload: string) =>
  new Promise<void>((resolve, reject) =>
    broker.publish({ cmd: 'publish', topic: TOPIC, payload: Buffer.from(payload), qos: 1, retain: false, dup: false }, (error) =>
      error ? reject(error) : resolve(),
    ),
  );

describe('an MQTT session', () => {
  it('turns Nagle off on its TCP socket, so a small packet never waits for the previous one to be acknowledged', async () => {
    // Node cannot read TCP_NODELAY back, so this watches the call on the client's own socket (the
    // in-process broker here is plain Aedes, which never makes it).
    const noDelayCalls: Array<boolean | undefined> = [];
    const watched = vi.spyOn(Socket.prototype, 'setNoDelay');
    watched.mockImplementation(function (this: Socket, noDelay?: boolean) {
      noDelayCalls.push(noDelay);
      return this; // the option itself does not matter to this test, only that it was asked for
    });
    try {
      const { session } = await openSubscribed('nagle-off');
      session.end({ kind: 'closedByApp' }, true);
    } finally {
      watched.mockRestore();
    }
    expect(noDelayCalls).toContain(true);
  });

  it('acknowledges a delivery it handed on', async () => {
    const phone = await openSubscribed('phone-a');
    const acked = once(broker, 'ack');
    await publish('hello');
    await acked;
    expect(phone.received).toEqual(['hello']);
    expect(acks).toEqual(['phone-a']);
    phone.session.end({ kind: 'closedByApp' }, true);
    await phone.ended;
  });

  it('does not acknowledge a delivery that arrives while it closes, since the app never saw it', async () => {
    const phone = await openSubscribed('phone-b');
    const closed = once(broker, 'clientDisconnect');
    phone.endOnNextPacket(); // the app is suspended while the PUBLISH is being read
    await publish('too late');
    await closed;
    await phone.ended;
    expect(phone.received).toEqual([]);
    expect(acks).toEqual([]);
  });
});
