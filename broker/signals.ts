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

/** The receipt re-encoded with the reader stamped; undefined when the payload is not a valid Receipt. */
export function stampReceipt(payload: Uint8Array, userId: string): { payload: Uint8Array; readSeq: number } | undefined {
  try {
    const receipt = decodeReceipt(payload);
    const isValid = Number.isSafeInteger(receipt.readSeq) && receipt.readSeq > 0;
    return isValid ? { payload: encodeReceipt({ readSeq: receipt.readSeq, userId }), readSeq: receipt.readSeq } : undefined;
  } catch {
    return undefined;
  }
}
