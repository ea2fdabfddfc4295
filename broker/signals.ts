/**
 * Ephemeral signals (docs/signals.md#broker-relay) as they pass the broker: the broker decodes
 * Typing and Receipt payloads, stamps the authenticated sender over whatever the client wrote
 * (nobody can type or read as someone else) and re-encodes them. Undecodable payloads are dropped.
 */
import { TypingState, decodeReceipt, decodeTyping, encodeReceipt, encodeTyping } from '../schema/index.js';

const VALID_TYPING_STATES = new Set<number>([
  TypingState.TYPING_STATE_START,
  TypingState.TYPING_STATE_RENEW,
  TypingState.TYPING_STATE_STOP,
]);

/** The typing event re-encoded with the sender stamped; undefined when the payload is not a valid Typing. */
export function stampTyping(payload: Uint8Array, userId: string): Uint8Array | undefined {
  try {
    const typing = decodeTyping(payload);
    return VALID_TYPING_STATES.has(typing.state) ? encodeTyping({ state: typing.state, userId }) : undefined;
  } catch {
    return undefined;
  }
}

/** The read seq of a valid Receipt payload (a positive safe integer); undefined when the payload is not one. */
export function receiptReadSeq(payload: Uint8Array): number | undefined {
  try {
    const { readSeq } = decodeReceipt(payload);
    return Number.isSafeInteger(readSeq) && readSeq > 0 ? readSeq : undefined;
  } catch {
    return undefined;
  }
}

/** The receipt as relayed: the reader stamped over whatever the client wrote, with the (clamped) read seq. */
export const stampedReceipt = (readSeq: number, userId: string): Uint8Array => encodeReceipt({ readSeq, userId });
