/**
 * One MQTT fuzz case: the bytes a client writes on a fresh connection, optionally after a valid
 * CONNECT with a real device token (so the hostile bytes reach the authenticated code paths),
 * cut into writes, and how the client then leaves. The same cases travel over TCP and inside
 * WebSocket frames.
 */
import { encodePacket, randomPacket, type ProtocolVersion } from './mqtt-packets.js';
import { mutate, splitInto } from './mutations.js';
import { bytes, chance, int, pick, skewedLength, weighted, type Random } from './random.js';
import { laneDevice, type GeneratorContext } from './world.js';

/**
 * - end: half-close (FIN) and wait for the server to close its side;
 * - destroy: drop the socket at once (RST when data is unread);
 * - probe: send a PINGREQ, wait for the PINGRESP or the close, then end.
 */
export type StreamEnding = 'end' | 'destroy' | 'probe';

export type StreamShape = 'valid' | 'pipeline' | 'mutated' | 'length-lie' | 'random';

export interface MqttStreamCase {
  shape: StreamShape;
  version: ProtocolVersion;
  /** Prefix the connection with a valid CONNECT of the lane's device and wait for CONNACK 0. */
  authenticate: boolean;
  /** The lane's device index: its credentials are used by `authenticate`. */
  lane: number;
  pieces: Buffer[];
  ending: StreamEnding;
}

/** Variable byte integer of MQTT §1.5.5, without the 4-byte limit: a liar may write more. */
function encodeLength(value: number, minBytes = 1): Buffer {
  const out: number[] = [];
  let rest = value;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0 || out.length + 1 < minBytes) byte |= 0x80;
    out.push(byte);
  } while (rest > 0 || out.length < minBytes);
  return Buffer.from(out);
}

/** The first packet's header with a remaining length that does not match what follows. */
function lieAboutLength(random: Random, packet: Buffer): Buffer {
  let headerEnd = 1;
  while (headerEnd < packet.length && (packet[headerEnd]! & 0x80) !== 0 && headerEnd < 5) headerEnd += 1;
  const body = packet.subarray(Math.min(packet.length, headerEnd + 1));
  const lie = weighted<() => Buffer>(random, [
    [3, () => encodeLength(Math.max(0, body.length - int(random, 1, 8)))],
    [3, () => encodeLength(body.length + int(random, 1, 4096))],
    [2, () => encodeLength(pick(random, [268_435_455, 2_097_152, 16_384, 127, 128]))],
    [1, () => encodeLength(body.length, int(random, 2, 4))], // non-minimal encoding of the true length
    [1, () => Buffer.from([0xff, 0xff, 0xff, 0xff, 0x7f])], // a fifth length byte [MQTT-2.2.3]
    [1, () => Buffer.from([0x80])], // a length cut in the middle
  ])();
  return Buffer.concat([packet.subarray(0, 1), lie, body]);
}

export function generateMqttStream(random: Random, context: GeneratorContext, index: number): MqttStreamCase {
  const { world } = context;
  const lane = index % world.attackerDevices.length;
  const device = laneDevice(world, index);
  const version = weighted<ProtocolVersion>(random, [
    [1, 3],
    [6, 4],
    [2, 5],
  ]);
  const packet = () => encodePacket(randomPacket(random, world, device, version), version);
  const shape = weighted<StreamShape>(random, [
    [3, 'valid'],
    [2, 'pipeline'],
    [4, 'mutated'],
    [2, 'length-lie'],
    [1, 'random'],
  ]);
  const payload = ((): Buffer => {
    switch (shape) {
      case 'valid':
        return packet();
      case 'pipeline':
        return Buffer.concat(Array.from({ length: int(random, 2, 12) }, packet));
      case 'mutated':
        return mutate(random, chance(random, 0.5) ? packet() : Buffer.concat([packet(), packet()]));
      case 'length-lie':
        return lieAboutLength(random, packet());
      case 'random':
        return bytes(random, skewedLength(random, 4096) + 1);
    }
  })();
  return {
    shape,
    version,
    authenticate: chance(random, 0.6),
    lane,
    pieces: splitInto(random, payload, chance(random, 0.7) ? 1 : 8),
    ending: weighted<StreamEnding>(random, [
      [5, 'end'],
      [3, 'destroy'],
      [2, 'probe'],
    ]),
  };
}
