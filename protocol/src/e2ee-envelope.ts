/**
 * The body of a message in an end-to-end encrypted room (docs/e2ee.md#the-envelope): typed
 * encode/decode of the E2ee* messages of chat.proto. Only devices use these; the platform stores
 * and relays the bytes and never decodes them. Decoders throw on bytes that are not a valid
 * encoding, like the other decoders of this package.
 */
import { chat } from '../generated/chat.js';

const pb = chat.v1;

/** The Send's content_type of an encrypted body; `v1` is the envelope's version (a new layout gets a new type). */
export const E2EE_CONTENT_TYPE = 'application/vnd.mqtt-chat.e2ee.v1';

export const E2eeEnvelopeKind = pb.E2eeEnvelopeKind;
export type E2eeEnvelopeKind = chat.v1.E2eeEnvelopeKind;
export const E2eeCipherType = pb.E2eeCipherType;
export type E2eeCipherType = chat.v1.E2eeCipherType;

export interface E2eePairwise {
  userId: string;
  /** The recipient's Signal device id. */
  deviceId: number;
  type: E2eeCipherType;
  ciphertext: Uint8Array;
}

export interface E2eeEnvelope {
  senderDeviceId: number;
  pairwise: E2eePairwise[];
  /** Empty when the content travels pairwise or the envelope only distributes keys. */
  senderKeyMessage: Uint8Array;
  kind: E2eeEnvelopeKind;
}

export type E2eePairwisePayload = { senderKeyDistribution: Uint8Array } | { content: Uint8Array };

export interface E2eeContent {
  roomId: string;
  body: Uint8Array;
  contentType: string;
  padding: Uint8Array;
}

export const encodeE2eeEnvelope = (envelope: E2eeEnvelope): Uint8Array => pb.E2eeEnvelope.encode(envelope).finish();
export const encodeE2eePairwisePayload = (payload: E2eePairwisePayload): Uint8Array => pb.E2eePairwisePayload.encode(payload).finish();
export const encodeE2eeContent = (content: E2eeContent): Uint8Array => pb.E2eeContent.encode(content).finish();

export function decodeE2eeEnvelope(bytes: Uint8Array): E2eeEnvelope {
  const m = pb.E2eeEnvelope.decode(bytes);
  return {
    senderDeviceId: m.senderDeviceId,
    pairwise: m.pairwise.map((p) => ({
      userId: p.userId ?? '',
      deviceId: p.deviceId ?? 0,
      type: p.type ?? E2eeCipherType.E2EE_CIPHER_TYPE_UNSPECIFIED,
      ciphertext: p.ciphertext ?? new Uint8Array(),
    })),
    senderKeyMessage: m.senderKeyMessage,
    kind: m.kind,
  };
}

export function decodeE2eePairwisePayload(bytes: Uint8Array): E2eePairwisePayload {
  const m = pb.E2eePairwisePayload.decode(bytes);
  if (m.payload === 'senderKeyDistribution' && m.senderKeyDistribution) return { senderKeyDistribution: m.senderKeyDistribution };
  if (m.payload === 'content' && m.content) return { content: m.content };
  throw new RangeError('pairwise payload carries neither a sender-key distribution nor content');
}

export function decodeE2eeContent(bytes: Uint8Array): E2eeContent {
  const m = pb.E2eeContent.decode(bytes);
  return { roomId: m.roomId, body: m.body, contentType: m.contentType, padding: m.padding };
}
