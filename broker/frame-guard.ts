/**
 * Refuses oversized MQTT packets while their bytes are still arriving. Aedes (through
 * mqtt-packet) buffers a whole packet before it looks at it and has no size limit, so one
 * client could make the broker hold hundreds of megabytes. The guard reads each packet's fixed
 * header (MQTT 3.1.1 §2.2: one type byte, then a 1-4 byte variable-length "remaining length")
 * and cuts the connection as soon as a header announces more than the limit.
 */
import { Duplex, Transform } from 'node:stream';
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

/** The socket as a duplex whose readable side stops at the first oversized packet. */
export function guardFrames(socket: Socket, maxRemainingLength: number, onRefused: (verdict: FrameVerdict) => void): Duplex {
  const tracker = createFrameSizeTracker(maxRemainingLength);
  const guard = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const verdict = tracker.feed(chunk);
      if (verdict === 'ok') return done(null, chunk);
      onRefused(verdict);
      socket.destroy();
      done();
    },
  });
  socket.pipe(guard);
  socket.on('error', () => guard.destroy());
  return Duplex.from({ readable: guard, writable: socket });
}
