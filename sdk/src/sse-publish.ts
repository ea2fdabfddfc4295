/**
 * What the MQTT session would publish, done over HTTP for the SSE fallback, with the same
 * meaning for the rest of the client:
 *
 * - a `Send` goes to the REST send path (POST /v1/rooms/{id}/messages), whose answer is the
 *   platform's verdict after commit: it is turned into the `Ack` or `Nack` the inbox would carry
 *   and handed on as if it had arrived there (the inbox on the stream brings the same Ack too;
 *   the outbox takes the first). No answer means nothing: the outbox resends after its timeout,
 *   under the same clientMsgId, and the platform dedups. Sends go one at a time, in order, as
 *   QoS 1 publishes on one connection would.
 * - typing and read receipts go to POST /v1/rooms/{id}/typing and /receipts, which publish them
 *   through the device's stream at the broker (stamped, rate-limited, clamped as over MQTT).
 * - the device's presence is the server's to publish: the stream is the connection.
 */
import {
  decodeReceipt,
  decodeSend,
  decodeTyping,
  encodeInboxItem,
  inboxTopic,
  NackReason,
  parseTopic,
  TypingState,
  type Nack,
  type Send,
} from '@mqtt-chat/protocol';
import { toBase64 } from './base64.js';
import { apiErrorCode, field, type HttpAnswer, type HttpPost } from './sse-http.js';

export interface SsePublisher {
  publish(topic: string, payload: Uint8Array): void;
  /** Stops: answers that arrive later are dropped. */
  stop(): void;
}

export interface SsePublisherDeps {
  post: HttpPost;
  /** An inbox item made from a send's answer, as if the inbox had delivered it. */
  deliver(topic: string, payload: Uint8Array): void;
  /** The platform refused the token (401). */
  unauthorized(reason: string): void;
}

/** The Nack an error answer to a send stands for; undefined: no verdict (resend later). */
const NACK_FOR_ERROR: Record<string, NackReason> = {
  ERR_ROOM_VERSION_STALE: NackReason.NACK_REASON_STALE_ROOM_VERSION,
  ERR_ROOM_NOT_MEMBER: NackReason.NACK_REASON_NOT_MEMBER,
  ERR_ROOM_NOT_FOUND: NackReason.NACK_REASON_ROOM_NOT_FOUND,
  ERR_MESSAGE_TOO_LARGE: NackReason.NACK_REASON_TOO_LARGE,
  ERR_REQUEST_TOO_LARGE: NackReason.NACK_REASON_TOO_LARGE,
  ERR_MESSAGE_INVALID: NackReason.NACK_REASON_MALFORMED,
  ERR_REQUEST_INVALID: NackReason.NACK_REASON_MALFORMED,
  ERR_RATE_LIMITED: NackReason.NACK_REASON_RATE_LIMITED,
  ERR_UNAVAILABLE: NackReason.NACK_REASON_UNAVAILABLE,
};

const TYPING_NAMES: Partial<Record<TypingState, string>> = {
  [TypingState.TYPING_STATE_START]: 'start',
  [TypingState.TYPING_STATE_RENEW]: 'renew',
  [TypingState.TYPING_STATE_STOP]: 'stop',
};

export function createSsePublisher(deps: SsePublisherDeps, options: { userId: string }): SsePublisher {
  let stopped = false;
  /** The sends, one after the other. */
  let sending: Promise<void> = Promise.resolve();
  const inbox = inboxTopic(options.userId);

  function answered(answer: HttpAnswer, what: string): boolean {
    if (stopped) return false;
    if (answer.status === 401) deps.unauthorized(`REST 401 while ${what}`);
    return answer.status !== 401;
  }

  async function send(message: Send): Promise<void> {
    const path = `/v1/rooms/${encodeURIComponent(message.roomId)}/messages`;
    const answer = await deps.post(path, {
      clientMsgId: message.clientMsgId,
      roomVersion: message.roomVersion,
      body: toBase64(message.body),
      contentType: message.contentType,
    });
    if (!answered(answer, 'sending')) return;
    const { roomId, clientMsgId } = message;
    const seq = field(answer.body, 'seq');
    if ((answer.status === 200 || answer.status === 201) && typeof seq === 'number') {
      const ack = { roomId, clientMsgId, seq, duplicate: answer.status === 200 };
      return deps.deliver(inbox, encodeInboxItem({ ack }));
    }
    const nack = nackOf(message, answer);
    if (nack !== undefined) deps.deliver(inbox, encodeInboxItem({ nack }));
  }

  function signal(path: string, json: unknown, what: string): void {
    void deps.post(path, json).then((answer) => answered(answer, what));
  }

  return {
    publish(topic, payload) {
      if (stopped) return;
      const parsed = parseTopic(topic);
      try {
        if (parsed?.kind === 'send') {
          const message = decodeSend(payload);
          sending = sending.then(() => send(message));
        } else if (parsed?.kind === 'typing') {
          const state = TYPING_NAMES[decodeTyping(payload).state];
          if (state !== undefined) signal(`/v1/rooms/${encodeURIComponent(parsed.roomId)}/typing`, { state }, 'typing');
        } else if (parsed?.kind === 'receipt') {
          const readSeq = decodeReceipt(payload).readSeq;
          signal(`/v1/rooms/${encodeURIComponent(parsed.roomId)}/receipts`, { readSeq }, 'marking read');
        }
      } catch {
        // The client's own encoding: cannot fail to decode; and a publish never throws at its caller.
      }
    },
    stop() {
      stopped = true;
    },
  };
}

function nackOf(send: Send, answer: HttpAnswer): Nack | undefined {
  const code = apiErrorCode(answer.body);
  const reason = code === undefined ? undefined : NACK_FOR_ERROR[code];
  if (reason === undefined) return undefined;
  const details = field(field(answer.body, 'error'), 'details');
  const roomVersion = field(details, 'roomVersion');
  const retryAfterMs = field(details, 'retryAfterMs');
  return {
    roomId: send.roomId,
    clientMsgId: send.clientMsgId,
    reason,
    roomVersion: typeof roomVersion === 'number' ? roomVersion : 0,
    detail: code ?? '',
    retryAfterMs: typeof retryAfterMs === 'number' ? retryAfterMs : (answer.retryAfterMs ?? 0),
  };
}
