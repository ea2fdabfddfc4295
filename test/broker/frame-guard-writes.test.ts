import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { guardFrames } from '../../broker/frame-guard.js';

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
    const connection = guardFrames(brokerEnd, LIMITS, () => undefined);
    const counter = countKernelWrites(brokerEnd);
    const packets = Array.from({ length: 20 }, (_, i) => publish(i));
    // As Aedes writes deliveries: one packet at a time, each in mqtt-packet's own cork that ends
    // on the next tick, the next delivery after that (a later publication), all in one turn.
    for (const packet of packets) {
      connection.cork();
      connection.write(packet);
      process.nextTick(() => connection.uncork());
      await new Promise((resolve) => process.nextTick(resolve));
    }
    const expected = Buffer.concat(packets);
    expect((await readBytes(deviceEnd, expected.length)).equals(expected)).toBe(true);
    expect(counter.writes).toBe(1);
  });

  it('still sends what was written before the connection is destroyed in the same turn', async () => {
    const { brokerEnd, deviceEnd } = await socketPair();
    const connection = guardFrames(brokerEnd, LIMITS, () => undefined);
    const connack = mqttPacket.generate({ cmd: 'connack', returnCode: 5, sessionPresent: false });
    const received = readBytes(deviceEnd, connack.length);
    connection.write(connack);
    connection.destroy();
    expect((await received).equals(connack)).toBe(true);
  });
});
