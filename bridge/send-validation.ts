/**
 * What a send must be before it may reach the database, checked on its own so a bad send is
 * answered alone (Nack with the field named) and never shares a transaction with honest ones.
 * Every text field of `Send` is listed below, and the compiler insists on it: a text field added
 * to the proto is unchecked until it is named here. (Bytes that are not UTF-8 never get this far
 * over MQTT: the generated decoder refuses them, see `sendFieldWithInvalidUtf8`. A REST send's
 * text comes from JSON, where a lone surrogate is the way to be invalid.)
 */
import { textProblem } from '../lib/storable-text.js';
import { NackReason, isValidId, type Send } from '../schema/index.js';

export interface SendLimits {
  maxBodyBytes: number;
}

/** Longest content type, in UTF-8 bytes (MIME types are short ASCII: `text/plain; charset=utf-8`). */
export const MAX_CONTENT_TYPE_BYTES = 128;

type TextFieldOf<T> = { [K in keyof T]: T[K] extends string ? K : never }[keyof T];

/** Every text field of Send with its proto name (the name the Nack detail uses). */
const SEND_TEXT_FIELDS = {
  roomId: 'room_id',
  clientMsgId: 'client_msg_id',
  contentType: 'content_type',
} as const satisfies Record<TextFieldOf<Send>, string>;

export interface SendProblem {
  reason: NackReason;
  detail: string;
}

/** Why `send` must not be stored, or undefined when it may go on to sequencing. */
export function sendProblem(send: Send, limits: SendLimits): SendProblem | undefined {
  for (const [key, protoName] of Object.entries(SEND_TEXT_FIELDS) as [keyof typeof SEND_TEXT_FIELDS, string][]) {
    const problem = textProblem(send[key]);
    if (problem !== undefined) return malformed(`${protoName} ${problem}`);
  }
  if (!isValidId(send.roomId)) return malformed('room_id is not a valid id');
  if (Buffer.byteLength(send.contentType, 'utf8') > MAX_CONTENT_TYPE_BYTES) {
    return malformed(`content_type exceeds ${MAX_CONTENT_TYPE_BYTES} bytes`);
  }
  if (send.body.byteLength > limits.maxBodyBytes) {
    return { reason: NackReason.NACK_REASON_TOO_LARGE, detail: `body exceeds ${limits.maxBodyBytes} bytes` };
  }
  return undefined;
}

const malformed = (detail: string): SendProblem => ({ reason: NackReason.NACK_REASON_MALFORMED, detail });
