/**
 * WebSocket framing (RFC 6455 §5.2) written by hand, because a fuzzer must be able to write
 * what a correct library refuses to: unmasked client frames, reserved bits and opcodes, control
 * frames longer than 125 bytes, continuations without a start, lengths that lie. Masking is the
 * protocol's XOR obfuscation, not cryptography.
 */
export const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

export interface WsFrame {
  fin: boolean;
  /** RSV1-3 as a 3-bit number; non-zero without a negotiated extension is a protocol error. */
  rsv: number;
  opcode: number;
  /** Client frames must be masked [RFC 6455 §5.1]; undefined sends it unmasked. */
  maskKey: Buffer | undefined;
  payload: Buffer;
  /** Announce this length instead of the payload's. */
  declaredLength?: number;
}

function lengthField(length: number): Buffer {
  if (length < 126) return Buffer.from([length]);
  if (length < 65_536) {
    const out = Buffer.alloc(3);
    out[0] = 126;
    out.writeUInt16BE(length, 1);
    return out;
  }
  const out = Buffer.alloc(9);
  out[0] = 127;
  out.writeBigUInt64BE(BigInt(length), 1);
  return out;
}

export function encodeFrame(frame: WsFrame): Buffer {
  const first = (frame.fin ? 0x80 : 0) | ((frame.rsv & 0x7) << 4) | (frame.opcode & 0xf);
  const length = lengthField(frame.declaredLength ?? frame.payload.length);
  if (frame.maskKey !== undefined) length[0] = length[0]! | 0x80;
  const payload = Buffer.from(frame.payload);
  if (frame.maskKey !== undefined) for (let i = 0; i < payload.length; i += 1) payload[i] = payload[i]! ^ frame.maskKey[i % 4]!;
  return Buffer.concat([Buffer.from([first]), length, frame.maskKey ?? Buffer.alloc(0), payload]);
}

export interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

/**
 * Reads the (unmasked) frames a server sends, as far as the buffer holds whole frames.
 * Returns them and the bytes left over for the next chunk.
 */
export function readServerFrames(buffer: Buffer): { frames: ServerFrame[]; rest: Buffer } {
  const frames: ServerFrame[] = [];
  let offset = 0;
  for (;;) {
    if (buffer.length - offset < 2) break;
    const opcode = buffer[offset]! & 0xf;
    let length = buffer[offset + 1]! & 0x7f;
    let headerLength = 2;
    if (length === 126) {
      if (buffer.length - offset < 4) break;
      length = buffer.readUInt16BE(offset + 2);
      headerLength = 4;
    } else if (length === 127) {
      if (buffer.length - offset < 10) break;
      length = Number(buffer.readBigUInt64BE(offset + 2));
      headerLength = 10;
    }
    if (buffer.length - offset < headerLength + length) break;
    frames.push({ opcode, payload: buffer.subarray(offset + headerLength, offset + headerLength + length) });
    offset += headerLength + length;
  }
  return { frames, rest: buffer.subarray(offset) };
}
