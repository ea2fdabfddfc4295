import fc from 'fast-check';
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { createFrameSizeTracker } from '../../broker/frame-guard.js';

const LIMIT = 1000;

const publish = (payloadBytes: number): Buffer =>
  mqttPacket.generate({
    cmd: 'publish',
    topic: 'chat/user/u/send',
    payload: Buffer.alloc(payloadBytes),
    qos: 1,
    messageId: 7,
    retain: false,
    dup: false,
  });
const ping = (): Buffer => mqttPacket.generate({ cmd: 'pingreq' });

/** Splits `bytes` at the given cut points, as a TCP stream may deliver them. */
function chunked(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.subarray(start, p));
    start = p;
  }
  return chunks;
}

describe('frame size tracker', () => {
  it('accepts any sequence of packets within the limit, however the stream is cut', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 900 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (sizes, cuts) => {
          const stream = Buffer.concat(sizes.flatMap((size) => [publish(size), ping()]));
          const tracker = createFrameSizeTracker(LIMIT);
          return chunked(stream, cuts).every((chunk) => tracker.feed(chunk) === 'ok');
        },
      ),
    );
  });

  it('refuses a packet whose announced length exceeds the limit before its body arrives', () => {
    fc.assert(
      fc.property(fc.integer({ min: LIMIT + 1, max: 300_000 }), fc.array(fc.nat(), { maxLength: 5 }), (size, cuts) => {
        const stream = Buffer.concat([publish(10), publish(size)]);
        const headerEnd = publish(10).length + 5; // type byte + at most 4 length bytes
        const tracker = createFrameSizeTracker(LIMIT);
        const verdicts = chunked(stream.subarray(0, headerEnd), cuts).map((chunk) => tracker.feed(chunk));
        return verdicts.includes('too-large');
      }),
    );
  });

  it('calls a remaining length of more than four bytes malformed', () => {
    const tracker = createFrameSizeTracker(Number.MAX_SAFE_INTEGER);
    expect(tracker.feed(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80, 0x01]))).toBe('malformed');
  });
});
