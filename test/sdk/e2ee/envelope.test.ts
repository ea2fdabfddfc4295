/**
 * The encrypted body's framing (docs/e2ee.md#the-envelope): padding lands on a block boundary and
 * round-trips, a copy in another room is refused, and splitting a large distribution keeps every
 * part exactly once, each message within the limit, the content last.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeE2eeContent,
  decodeE2eeEnvelope,
  E2eeCipherType,
  E2eeEnvelopeKind,
  encodeE2eeEnvelope,
  type E2eeEnvelope,
} from '@mqtt-chat/protocol';
import { decodeContentFor, encodeContent, splitEnvelope } from '../../../sdk/src/e2ee/envelope.js';

const bytes = (max: number) => fc.uint8Array({ maxLength: max });

describe('encodeContent', () => {
  it('pads to a multiple of the block and decodes back to the same content', () => {
    fc.assert(
      fc.property(bytes(2000), fc.string({ maxLength: 40 }), fc.integer({ min: 1, max: 512 }), (body, contentType, block) => {
        const encoded = encodeContent({ roomId: 'room1', body, contentType }, block);
        expect(encoded.length % block).toBe(0);
        const decoded = decodeE2eeContent(encoded);
        expect([decoded.roomId, [...decoded.body], decoded.contentType]).toEqual(['room1', [...body], contentType]);
        expect(decoded.padding.every((b) => b === 0)).toBe(true);
      }),
    );
  });

  it('refuses content written for another room', () => {
    const encoded = encodeContent({ roomId: 'room1', body: new Uint8Array([1]), contentType: 'text/plain' }, 64);
    expect([...decodeContentFor('room1', encoded)!.body]).toEqual([1]);
    expect(decodeContentFor('room2', encoded)).toBeUndefined();
  });
});

describe('splitEnvelope', () => {
  const part = (i: number, size: number) => ({
    userId: `u${i}`,
    deviceId: 1 + (i % 127),
    type: E2eeCipherType.E2EE_CIPHER_TYPE_PREKEY,
    ciphertext: new Uint8Array(size).fill(i % 256),
  });
  const envelopes = fc
    .record({ sizes: fc.array(fc.integer({ min: 1, max: 2000 }), { maxLength: 60 }), content: fc.integer({ min: 1, max: 1500 }) })
    .map(({ sizes, content }): E2eeEnvelope => ({
      senderDeviceId: 3,
      pairwise: sizes.map((size, i) => part(i, size)),
      senderKeyMessage: new Uint8Array(content).fill(7),
      kind: E2eeEnvelopeKind.E2EE_ENVELOPE_KIND_SENDER_KEY,
    }));

  it('keeps every part once, each message within the limit, the content in the last one', () => {
    fc.assert(
      fc.property(envelopes, fc.integer({ min: 2100, max: 20_000 }), (envelope, maxBytes) => {
        const split = splitEnvelope(envelope, maxBytes)!;
        const all = [...split.before, split.last];
        for (const e of all) expect(encodeE2eeEnvelope(e).length).toBeLessThanOrEqual(maxBytes);
        expect(all.flatMap((e) => e.pairwise.map((p) => p.userId)).sort()).toEqual(envelope.pairwise.map((p) => p.userId).sort());
        expect(
          split.before.every((e) => e.senderKeyMessage.length === 0 && e.kind === E2eeEnvelopeKind.E2EE_ENVELOPE_KIND_DISTRIBUTION),
        ).toBe(true);
        expect([...decodeE2eeEnvelope(encodeE2eeEnvelope(split.last)).senderKeyMessage]).toEqual([...envelope.senderKeyMessage]);
        if (encodeE2eeEnvelope(envelope).length <= maxBytes) expect(split).toEqual({ before: [], last: envelope });
      }),
    );
  });

  it('refuses what cannot fit (one part alone too large, or pairwise content that cannot be split)', () => {
    const big: E2eeEnvelope = {
      senderDeviceId: 1,
      pairwise: [part(1, 5000)],
      senderKeyMessage: new Uint8Array(10),
      kind: E2eeEnvelopeKind.E2EE_ENVELOPE_KIND_SENDER_KEY,
    };
    expect(splitEnvelope(big, 4096)).toBeUndefined();
    const pairwise: E2eeEnvelope = {
      senderDeviceId: 1,
      pairwise: [part(1, 3000), part(2, 3000)],
      senderKeyMessage: new Uint8Array(),
      kind: E2eeEnvelopeKind.E2EE_ENVELOPE_KIND_PAIRWISE,
    };
    expect(splitEnvelope(pairwise, 4096)).toBeUndefined();
  });
});
