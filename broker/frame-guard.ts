/**
 * Refuses oversized MQTT packets while their bytes are still arriving. Aedes (through
 * mqtt-packet) buffers a whole packet before it looks at it and has no size limit, so one
 * client could make the broker hold hundreds of megabytes. The guard reads each packet's fixed
 * header (MQTT 3.1.1 §2.2: one type byte, then a 1-4 byte variable-length "remaining length")
 * and cuts the connection as soon as a header announces more than the limit.
 */
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

export type FrameVerdict = 'ok' | 'too-large' | 'malformed';

/** Pure tracker over the byte stream; `feed` answers as soon as a verdict other than ok is known. */
export function createFrameSizeTracker(maxRemainingLength: number): { feed(chunk: Uint8Array): FrameVerdict } {
  let state: 'type' | 'length' | 'body' = 'type';
  let length = 0;
  let multiplier = 1;
  let lengthBytes = 0;
  let bodyLeft = 0;
  return {
    feed(chunk) {
      let i = 0;
      while (i < chunk.length) {
        if (state === 'body') {
          const taken = Math.min(bodyLeft, chunk.length - i);
          bodyLeft -= taken;
          i += taken;
          if (bodyLeft === 0) state = 'type';
          continue;
        }
        const byte = chunk[i]!;
        i += 1;
        if (state === 'type') {
          state = 'length';
          length = 0;
          multiplier = 1;
          lengthBytes = 0;
          continue;
        }
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        lengthBytes += 1;
        if (length > maxRemainingLength) return 'too-large';
        if ((byte & 0x80) !== 0) {
          if (lengthBytes === 4) return 'malformed'; // [MQTT-2.2.3] at most four length bytes
          continue;
        }
        bodyLeft = length;
        state = length === 0 ? 'type' : 'body';
      }
      return 'ok';
    },
  };
}

/**
 * The socket as a duplex whose readable side stops at the first oversized packet. Writes go
 * straight to the socket, and a corked batch (mqtt-packet corks around each packet it writes)
 * stays one socket write: splitting a packet into several writes would cost a syscall each and
 * invite Nagle/delayed-ACK stalls.
 */
export function guardFrames(socket: Socket, maxRemainingLength: number, onRefused: (verdict: FrameVerdict) => void): Duplex {
  const tracker = createFrameSizeTracker(maxRemainingLength);
  socket.setNoDelay(true);
  const connection = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _encoding, done) {
      socket.write(chunk, done);
    },
    writev(chunks, done) {
      socket.cork();
      chunks.forEach(({ chunk }, i) => socket.write(chunk as Buffer, i === chunks.length - 1 ? done : undefined));
      socket.uncork();
    },
    final(done) {
      socket.end(done);
    },
    destroy(error, done) {
      socket.destroy();
      done(error);
    },
  });
  socket.on('data', (chunk: Buffer) => {
    const verdict = tracker.feed(chunk);
    if (verdict !== 'ok') {
      onRefused(verdict);
      connection.destroy();
      return;
    }
    if (!connection.push(chunk)) socket.pause();
  });
  socket.on('end', () => connection.push(null));
  socket.on('close', () => connection.destroy());
  socket.on('error', (error) => connection.destroy(error));
  return connection;
}
