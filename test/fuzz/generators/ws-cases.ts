/**
 * One WebSocket fuzz case: an HTTP handshake (valid, or one of the ways to get it wrong), then
 * WebSocket frames carrying an MQTT fuzz stream: binary, text, fragmented with control frames
 * in between, with reserved bits, unmasked, with lying lengths, or mutated after framing.
 */
import { validConnect } from './mqtt-packets.js';
import { generateMqttStream, type StreamEnding } from './mqtt-streams.js';
import { mutate, splitInto } from './mutations.js';
import { bytes, chance, createSeededRandom, int, pick, skewedLength, weighted, type Random } from './random.js';
import { encodeFrame, OPCODE, type WsFrame } from './ws-frames.js';
import { laneDevice, type GeneratorContext } from './world.js';

export type HandshakeKind =
  'valid' | 'valid-no-subprotocol' | 'valid-with-query' | 'other-path' | 'no-key' | 'bad-version' | 'wrong-upgrade' | 'plain-get' | 'junk';

export type FramingKind =
  | 'binary'
  | 'fragmented'
  | 'text'
  | 'control-junk'
  | 'reserved-bits'
  | 'reserved-opcode'
  | 'unmasked'
  | 'length-lie'
  | 'orphan-continuation'
  | 'mutated';

export interface WsCase {
  handshakeKind: HandshakeKind;
  /** Whether a 101 answer is expected; otherwise the bytes after the request are junk to an HTTP server. */
  upgrades: boolean;
  request: Buffer;
  /** Send a valid CONNECT frame of the lane's device first and wait for CONNACK 0. */
  authenticate: boolean;
  lane: number;
  framing: FramingKind;
  /** Written after the handshake (and the CONNECT, if any), each as its own write. */
  writes: Buffer[];
  ending: StreamEnding;
}

const NON_MQTT_PATHS = ['/', '/mqttx', '/MQTT', '/mqtt/', '//mqtt', '/mqtt%00', '/x/../mqtt', '/docs', 'http://127.0.0.1/mqtt', '*'];

function handshake(random: Random, kind: HandshakeKind): Buffer {
  // Sec-WebSocket-Key is a nonce the server echoes hashed: any 16 bytes do, drawn from the case's seed.
  const key = bytes(random, 16).toString('base64');
  const lines = (path: string, headers: string[]) =>
    Buffer.from([`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...headers, '', ''].join('\r\n'));
  const upgrade = ['Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${key}`, 'Sec-WebSocket-Version: 13'];
  switch (kind) {
    case 'valid':
      return lines('/mqtt', [...upgrade, 'Sec-WebSocket-Protocol: mqtt']);
    case 'valid-no-subprotocol':
      return lines('/mqtt', upgrade);
    case 'valid-with-query':
      return lines('/mqtt?x=1&y', [...upgrade, 'Sec-WebSocket-Protocol: mqtt, mqttv3.1']);
    case 'other-path':
      return lines(pick(random, NON_MQTT_PATHS), [...upgrade, 'Sec-WebSocket-Protocol: mqtt']);
    case 'no-key':
      return lines('/mqtt', ['Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13']);
    case 'bad-version':
      return lines('/mqtt', [...upgrade.slice(0, 3), `Sec-WebSocket-Version: ${pick(random, ['8', '14', 'x', ''])}`]);
    case 'wrong-upgrade':
      return lines('/mqtt', ['Upgrade: h2c', 'Connection: Upgrade', `Sec-WebSocket-Key: ${key}`]);
    case 'plain-get':
      return lines(pick(random, ['/mqtt', '/', '/x']), []);
    case 'junk':
      return chance(random, 0.5)
        ? bytes(random, skewedLength(random, 2048) + 1)
        : Buffer.from(`${pick(random, ['GET', 'BREW', ''])} \u0000 HTTP/9\r\n\r\n`);
  }
}

const maskKey = (random: Random): Buffer => bytes(random, 4);

function dataFrames(random: Random, framing: FramingKind, payload: Buffer): WsFrame[] {
  const frame = (opcode: number, data: Buffer, fin = true): WsFrame => ({ fin, rsv: 0, opcode, maskKey: maskKey(random), payload: data });
  const pieces = splitInto(random, payload, 6);
  switch (framing) {
    case 'binary':
    case 'mutated':
      return pieces.map((piece) => frame(OPCODE.binary, piece));
    case 'fragmented': {
      const frames = pieces.map((piece, i) => frame(i === 0 ? OPCODE.binary : OPCODE.continuation, piece, i === pieces.length - 1));
      // Control frames may be injected between fragments [RFC 6455 §5.4].
      if (frames.length > 1 && chance(random, 0.5))
        frames.splice(int(random, 1, frames.length - 1), 0, frame(OPCODE.ping, bytes(random, 4)));
      return frames;
    }
    case 'text':
      return pieces.map((piece) => frame(OPCODE.text, piece));
    case 'control-junk':
      return [
        weighted<WsFrame>(random, [
          [2, frame(OPCODE.ping, bytes(random, int(random, 126, 300)))],
          [
            2,
            frame(
              OPCODE.close,
              Buffer.concat([Buffer.from([int(random, 0, 255), int(random, 0, 255)]), bytes(random, int(random, 0, 130))]),
            ),
          ],
          [1, frame(OPCODE.close, Buffer.from([0x03]))],
          [1, frame(OPCODE.pong, bytes(random, 8))],
          [1, frame(OPCODE.ping, bytes(random, 8), false)],
        ]),
        ...pieces.map((piece) => frame(OPCODE.binary, piece)),
      ];
    case 'reserved-bits':
      return pieces.map((piece) => ({ ...frame(OPCODE.binary, piece), rsv: int(random, 1, 7) }));
    case 'reserved-opcode':
      return [frame(pick(random, [3, 4, 5, 6, 7, 11, 12, 13, 14, 15]), payload)];
    case 'unmasked':
      return pieces.map((piece) => ({ ...frame(OPCODE.binary, piece), maskKey: undefined }));
    case 'length-lie':
      return [
        { ...frame(OPCODE.binary, payload), declaredLength: pick(random, [payload.length + 1, 70_000, 2 ** 40, Number.MAX_SAFE_INTEGER]) },
      ];
    case 'orphan-continuation':
      return [frame(OPCODE.continuation, payload)];
  }
}

export function generateWsCase(random: Random, context: GeneratorContext, index: number): WsCase {
  const { knownDefects } = context;
  const handshakeKind = weighted<HandshakeKind>(random, [
    [14, 'valid'],
    [2, 'valid-no-subprotocol'],
    [1, 'valid-with-query'],
    // Known defect (issue 9): the socket of a non-/mqtt upgrade is never closed.
    [knownDefects.has('ws-upgrade-path') ? 3 : 0, 'other-path'],
    [1, 'no-key'],
    [1, 'bad-version'],
    [1, 'wrong-upgrade'],
    [1, 'plain-get'],
    [1, 'junk'],
  ]);
  const upgrades = handshakeKind.startsWith('valid');
  // The MQTT bytes come from the MQTT generator, on a random source of their own so both stay stable.
  const stream = generateMqttStream(createSeededRandom(Math.floor(random() * 2 ** 32)), context, index);
  const framing = weighted<FramingKind>(random, [
    [6, 'binary'],
    [4, 'fragmented'],
    [2, 'text'],
    [2, 'control-junk'],
    [1, 'reserved-bits'],
    [1, 'reserved-opcode'],
    [1, 'unmasked'],
    [1, 'length-lie'],
    [1, 'orphan-continuation'],
    [2, 'mutated'],
  ]);
  const payload = Buffer.concat(stream.pieces);
  let writes: Buffer[];
  if (!upgrades) writes = chance(random, 0.7) ? [bytes(random, skewedLength(random, 256) + 1)] : [];
  else {
    const frames = dataFrames(random, framing, payload).map(encodeFrame);
    writes = framing === 'mutated' ? [mutate(random, Buffer.concat(frames))] : frames;
  }
  return {
    handshakeKind,
    upgrades,
    request: handshake(random, handshakeKind),
    authenticate: upgrades && stream.authenticate,
    lane: stream.lane,
    framing,
    writes,
    ending: stream.ending,
  };
}

/** The CONNECT of the lane's device as one masked binary frame. */
export function connectFrame(context: GeneratorContext, lane: number): Buffer {
  return encodeFrame({
    fin: true,
    rsv: 0,
    opcode: OPCODE.binary,
    maskKey: Buffer.from([1, 2, 3, 4]),
    payload: validConnect(laneDevice(context.world, lane)),
  });
}

/** A PINGREQ as one masked binary frame. */
export const PING_FRAME = encodeFrame({
  fin: true,
  rsv: 0,
  opcode: OPCODE.binary,
  maskKey: Buffer.from([9, 9, 9, 9]),
  payload: Buffer.from([0xc0, 0x00]),
});
