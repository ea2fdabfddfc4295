/**
 * The seq and commit stamp of a room Message as it passes the broker, decoded once per
 * publication: Aedes wraps each delivery in a fresh packet object, but every wrapper of one
 * publication shares its payload Buffer, so the payload is the cache key (and the entry goes with
 * the Buffer).
 */
import { decodeMessage } from '../schema/index.js';

/** What the broker reads of a room Message: its seq, and `sent_at_ms` (stamped by the send pipeline as it sequences the batch). */
export interface MessageStamp {
  seq: number;
  sentAtMs: number;
}

const stampOfPayload = new WeakMap<Buffer, MessageStamp | null>();

/** The seq and stamp of a `chat/room/{roomId}` Message payload; undefined when it does not decode. */
export function messageStamp(payload: Buffer | string): MessageStamp | undefined {
  if (typeof payload === 'string') return decodedStamp(Buffer.from(payload)) ?? undefined;
  let stamp = stampOfPayload.get(payload);
  if (stamp === undefined) {
    stamp = decodedStamp(payload);
    stampOfPayload.set(payload, stamp);
  }
  return stamp ?? undefined;
}

/** The seq of a `chat/room/{roomId}` Message payload; undefined when it does not decode. */
export const messageSeq = (payload: Buffer | string): number | undefined => messageStamp(payload)?.seq;

function decodedStamp(payload: Buffer): MessageStamp | null {
  try {
    const { seq, sentAtMs } = decodeMessage(payload);
    return { seq, sentAtMs };
  } catch {
    return null;
  }
}
