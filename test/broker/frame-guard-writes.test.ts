import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { guardSocket, type GuardReason } from '../../broker/frame-guard.js';

const LIMITS = { maxPacketBytes: 64 * 1024, maxOutgoingBytes: 1024 * 1024 };

const publish = (i: number): Buffer =>
  mqttPacket.generate({ cmd: 'publish', topic: `chat/room/r/typing`, payload: Buffer.from([i]), qos: 0, retain: false, dup: false });

let server: Server | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  if (server !== undefined) await new Promise((resolve) => server!.close(resolve));
});

/** A loopback pair: the broker's end (to guard) and the device's end (to read). */
async function socketPair(): Promise<{ brokerEnd: Socket; deviceEnd: Socket }> {
  server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const deviceEnd = createConnection({ host: '127.0.0.1', port });
  const [brokerEnd] = await accepted;
  sockets.push(brokerEnd, deviceEnd);
  return { brokerEnd, deviceEnd };
}

/** Counts the socket's writes to the kernel (one per _write or _writev call). */
function countKernelWrites(socket: Socket): { writes: number } {
  const counter = { writes: 0 };
  const internals = socket as unknown as { _write: (...args: unknown[]) => void; _writev: (...args: unknown[]) => void };
  const write = internals._write.bind(socket);
  const writev = internals._writev.bind(socket);
  internals._write = (...args) => {
    counter.writes += 1;
    write(...args);
  };
  internals._writev = (...args) => {
    counter.writes += 1;
    writev(...args);
  };
  return counter;
}

async function readBytes(socket: Socket, length: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let received = 0;
  while (received < length) {
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    chunks.push(chunk);
    received += chunk.length;
  }
  return Buffer.concat(chunks);
}

describe('frame guard writes', () => {
  it('sends every packet written to a connection in one event-loop turn in one kernel write, in order', async () => {
    const { brokerEnd, deviceEnd } = await socketPair();
    guardSocket(brokerEnd, LIMITS, () => undefined);
    const counter = countKernelWrites(brokerEnd);
    const packets = Array.from({ length: 20 }, (_, i) => publish(i));
    // As Aedes writes deliveries: one packet at a time, each in mqtt-packet's own cork that ends
    // on the next tick, the next delivery after that (a later publication), all in one turn.
    for (const packet of packets) {
      brokerEnd.cork();
      brokerEnd.write(packet);
      process.nextTick(() => brokerEnd.uncork());
      await new Promise((resolve) => process.nextTick(resolve));
    }
    const expected = Buffer.concat(packets);
    expect((await readBytes(deviceEnd, expected.length)).equals(expected)).toBe(true);
    expect(counter.writes).toBe(1);
  });

  it('still sends what was written before the connection is destroyed in the same turn', async () => {
    const { brokerEnd, deviceEnd } = await socketPair();
    guardSocket(brokerEnd, LIMITS, () => undefined);
    const connack = mqttPacket.generate({ cmd: 'connack', returnCode: 5, sessionPresent: false });
    const received = readBytes(deviceEnd, connack.length);
    brokerEnd.write(connack);
    brokerEnd.destroy();
    expect((await received).equals(connack)).toBe(true);
  });

  it('reports every write as taken, however much waits, and cuts the connection past maxOutgoingBytes with outgoing_bytes', async () => {
    const { brokerEnd, deviceEnd } = await socketPair();
    deviceEnd.pause();
    const dropped: GuardReason[] = [];
    guardSocket(brokerEnd, LIMITS, (reason, socket) => {
      expect(socket).toBe(brokerEnd);
      dropped.push(reason);
    });
    const chunk = Buffer.alloc(64 * 1024);
    const answers: boolean[] = [];
    // One turn: the turn's hold keeps all of it in the socket's queue, far past its highWaterMark.
    while (!brokerEnd.destroyed && answers.length < 100) answers.push(brokerEnd.write(chunk));
    expect(answers.every((taken) => taken)).toBe(true);
    expect(dropped).toEqual(['outgoing_bytes']);
    expect(answers.length).toBe(Math.floor(LIMITS.maxOutgoingBytes / chunk.length) + 1);
  });
});

describe('frame guard reads', () => {
  /** Reads the broker's end as Aedes does ('readable', then read() until null) and records what it got. */
  function readLikeAedes(socket: Socket): Buffer[] {
    const got: Buffer[] = [];
    socket.on('readable', () => {
      for (let chunk: Buffer | null = socket.read(); chunk !== null; chunk = socket.read()) got.push(chunk);
    });
    return got;
  }

  const cases: { name: string; header: Buffer; reason: GuardReason }[] = [
    // A PUBLISH announcing one byte more than the limit: type byte and three length bytes, no body.
    { name: 'announces more than maxPacketBytes', header: Buffer.from([0x30, 0x81, 0x80, 0x04]), reason: 'packet_too_large' },
    { name: 'has a remaining length of five bytes', header: Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80, 0x01]), reason: 'packet_malformed' },
  ];
  for (const { name, header, reason } of cases) {
    it(`cuts a connection whose packet header ${name} and hands the reader nothing of that chunk`, async () => {
      const { brokerEnd, deviceEnd } = await socketPair();
      const dropped: GuardReason[] = [];
      guardSocket(brokerEnd, LIMITS, (why) => dropped.push(why));
      const got = readLikeAedes(brokerEnd);
      const ping = mqttPacket.generate({ cmd: 'pingreq' });
      deviceEnd.write(Buffer.concat([ping, header]));
      await once(brokerEnd, 'close');
      expect(dropped).toEqual([reason]);
      expect(Buffer.concat(got).length).toBe(0);
    });
  }

  it('hands the reader every byte of packets within the limit', async () => {
    const { brokerEnd, deviceEnd } = await socketPair();
    const dropped: GuardReason[] = [];
    guardSocket(brokerEnd, LIMITS, (why) => dropped.push(why));
    const got = readLikeAedes(brokerEnd);
    const sent = Buffer.concat([
      publish(1),
      mqttPacket.generate({
        cmd: 'publish',
        topic: 't',
        payload: Buffer.alloc(LIMITS.maxPacketBytes - 3),
        qos: 0,
        retain: false,
        dup: false,
      }),
    ]);
    deviceEnd.end(sent);
    await once(brokerEnd, 'end');
    expect(Buffer.concat(got).equals(sent)).toBe(true);
    expect(dropped).toEqual([]);
  });
});
