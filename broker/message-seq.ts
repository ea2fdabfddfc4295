/**
 * The seq of a room Message as it passes the broker, decoded once per publication: Aedes wraps
 * each delivery in a fresh packet object, but every wrapper of one publication shares its
 * payload Buffer, so the payload is the cache key (and the entry goes with the Buffer).
 */
import { decodeMessage } from '../schema/index.js';

const seqOfPayload = new WeakMap<Buffer, number | null>();

/** The seq of a `chat/room/{roomId}` Message payload; undefined when it does not decode. */
export function messageSeq(payload: Buffer | string): number | undefined {
  if (typeof payload === 'string') return decodedSeq(Buffer.from(payload)) ?? undefined;
  let seq = seqOfPayload.get(payload);
  if (seq === undefined) {
    seq = decodedSeq(payload);
    seqOfPayload.set(payload, seq);
  }
  return seq ?? undefined;
}

function decodedSeq(payload: Buffer): number | null {
  try {
    return decodeMessage(payload).seq;
  } catch {
    return null;
  }
}
