/**
 * Building and reading the body of an encrypted message (docs/e2ee.md#the-envelope): the padded
 * plaintext (`E2eeContent`), the pairwise parts and their cipher types, and splitting an envelope
 * whose key distribution does not fit in one message into several.
 */
import {
  E2eeCipherType,
  E2eeEnvelopeKind,
  decodeE2eeContent,
  encodeE2eeContent,
  encodeE2eeEnvelope,
  type E2eeContent,
  type E2eeEnvelope,
  type E2eePairwise,
} from '@mqtt-chat/protocol';
import type { PairwiseCiphertext, PairwiseType } from './crypto.js';

/** Encoded contents are padded to a multiple of this, so a ciphertext's size tells its length only to within a block. */
export const DEFAULT_PADDING_BLOCK_BYTES = 64;
/**
 * The largest envelope sent in one message: under the platform's default MAX_PAYLOAD_BYTES (65536)
 * with room for the Send's other fields. A larger key distribution goes in several messages.
 */
export const DEFAULT_MAX_ENVELOPE_BYTES = 60_000;

/** The content's encoding, padded with zeros to a multiple of `blockBytes`. */
export function encodeContent(content: Omit<E2eeContent, 'padding'>, blockBytes: number): Uint8Array {
  const bare = encodeE2eeContent({ ...content, padding: new Uint8Array() }).length;
  // The padding field costs a tag byte and a length varint besides its bytes: find the size that lands on a block boundary.
  for (let padding = 0; ; padding += 1) {
    const total = padding === 0 ? bare : bare + 1 + varintLength(padding) + padding;
    if (total % blockBytes === 0) return encodeE2eeContent({ ...content, padding: new Uint8Array(padding) });
  }
}

function varintLength(n: number): number {
  let length = 1;
  for (let rest = n >>> 7; rest > 0; rest >>>= 7) length += 1;
  return length;
}

/** The content of a decrypted payload, if it was written for `roomId` (a copy replayed into another room is refused). */
export function decodeContentFor(roomId: string, bytes: Uint8Array): E2eeContent | undefined {
  const content = decodeE2eeContent(bytes);
  return content.roomId === roomId ? content : undefined;
}

export function pairwisePart(userId: string, deviceId: number, ciphertext: PairwiseCiphertext): E2eePairwise {
  const type = ciphertext.type === 'prekey' ? E2eeCipherType.E2EE_CIPHER_TYPE_PREKEY : E2eeCipherType.E2EE_CIPHER_TYPE_WHISPER;
  return { userId, deviceId, type, ciphertext: ciphertext.body };
}

export function partCiphertext(part: E2eePairwise): PairwiseCiphertext | undefined {
  const types: Partial<Record<E2eeCipherType, PairwiseType>> = {
    [E2eeCipherType.E2EE_CIPHER_TYPE_PREKEY]: 'prekey',
    [E2eeCipherType.E2EE_CIPHER_TYPE_WHISPER]: 'whisper',
  };
  const type = types[part.type];
  return type === undefined ? undefined : { type, body: part.ciphertext };
}

/**
 * Splits a sender-key envelope that is larger than `maxBytes`: as many pairwise parts as fit stay
 * with the sender-key message (`last`), the others go first in DISTRIBUTION envelopes of their own
 * (`before`, each within `maxBytes`). Undefined when one part alone is too large. (A pairwise
 * envelope cannot be split: each part is the content for its device.)
 */
export function splitEnvelope(envelope: E2eeEnvelope, maxBytes: number): { before: E2eeEnvelope[]; last: E2eeEnvelope } | undefined {
  const none = new Uint8Array();
  const envelopeOf = (pairwise: E2eePairwise[], senderKeyMessage: Uint8Array): E2eeEnvelope => ({
    senderDeviceId: envelope.senderDeviceId,
    pairwise,
    senderKeyMessage,
    kind: senderKeyMessage.length === 0 ? E2eeEnvelopeKind.E2EE_ENVELOPE_KIND_DISTRIBUTION : envelope.kind,
  });
  // An envelope's size is its fixed fields plus each part's own cost (tag, length, bytes): summed, not re-encoded.
  const emptySize = encodeE2eeEnvelope(envelopeOf([], none)).length;
  const withContentSize = encodeE2eeEnvelope(envelopeOf([], envelope.senderKeyMessage)).length;
  const cost = (part: E2eePairwise) => encodeE2eeEnvelope(envelopeOf([part], none)).length - emptySize;
  const costs = envelope.pairwise.map(cost);
  const total = costs.reduce((sum, c) => sum + c, withContentSize);
  if (total <= maxBytes) return { before: [], last: envelope };
  if (
    envelope.kind !== E2eeEnvelopeKind.E2EE_ENVELOPE_KIND_SENDER_KEY ||
    withContentSize > maxBytes ||
    costs.some((c) => emptySize + c > maxBytes)
  )
    return undefined;

  // The last envelope (with the content) is filled first, from the end, so the distributions sent before it are the fewest.
  let lastSize = withContentSize;
  let split = envelope.pairwise.length;
  while (split > 0 && lastSize + costs[split - 1]! <= maxBytes) lastSize += costs[--split]!;
  const before: E2eeEnvelope[] = [];
  let current: E2eePairwise[] = [];
  let currentSize = emptySize;
  for (let i = 0; i < split; i += 1) {
    if (currentSize + costs[i]! > maxBytes) {
      before.push(envelopeOf(current, none));
      current = [];
      currentSize = emptySize;
    }
    current.push(envelope.pairwise[i]!);
    currentSize += costs[i]!;
  }
  if (current.length > 0) before.push(envelopeOf(current, none));
  return { before, last: envelopeOf(envelope.pairwise.slice(split), envelope.senderKeyMessage) };
}
