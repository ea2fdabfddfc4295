/**
 * What `send()` returns: the promise of today (resolves with the seq on the platform's Ack,
 * rejects with an SdkError on a final refusal) that also carries the send's identity and its
 * progress, so an app can draw the message at once and update it as it goes:
 * `pending` → `acked` (with its seq) | `failed` (with a code and a reason). The same transitions
 * arrive as the client's 'send' events.
 *
 * The promise is marked handled: an app that follows the progress instead may ignore it without
 * an unhandled rejection; one that awaits it still gets the rejection.
 */
import type { SdkError, SdkErrorCode } from './errors.js';

export type SendState =
  /** Waiting for the platform's answer; resent under the same clientMsgId until it comes. */
  | { state: 'pending' }
  /** Stored and sequenced: the message is `seq` in its room. */
  | { state: 'acked'; seq: number }
  /** Given up: refused by the platform (ERR_SDK_SEND_REJECTED, `error.nack` says why), outbox full, or the client closed. */
  | { state: 'failed'; code: SdkErrorCode; reason: string; error: SdkError };

export type SendUpdate = { roomId: string; clientMsgId: string } & SendState;

export interface SendResult {
  roomId: string;
  clientMsgId: string;
  seq: number;
}

export interface SendHandle extends Promise<SendResult> {
  readonly roomId: string;
  /** The id the platform dedups on; the message arrives with it (`Message.clientMsgId`), so the app can match its draft. */
  readonly clientMsgId: string;
  state(): SendState;
  /** Called on each transition after now; returns its own unsubscribe. */
  onChange(listener: (state: SendState) => void): () => void;
}

/** A send in progress as the outbox reports it; `update` is fed every transition. */
export interface SendTracker {
  handle(ids: { roomId: string; clientMsgId: string }, result: Promise<SendResult>): SendHandle;
  update(update: SendUpdate): void;
}

export function createSendTracker(): SendTracker {
  let state: SendState = { state: 'pending' };
  const listeners = new Set<(state: SendState) => void>();
  return {
    handle(ids, result) {
      result.catch(() => undefined);
      return Object.assign(result, {
        ...ids,
        state: () => state,
        onChange(listener: (state: SendState) => void) {
          listeners.add(listener);
          return () => void listeners.delete(listener);
        },
      });
    },
    update(update) {
      state = stateOf(update);
      for (const listener of [...listeners]) listener(state);
    },
  };
}

/** The state an update reports, without the send's ids. */
function stateOf(update: SendUpdate): SendState {
  switch (update.state) {
    case 'pending':
      return { state: 'pending' };
    case 'acked':
      return { state: 'acked', seq: update.seq };
    case 'failed':
      return { state: 'failed', code: update.code, reason: update.reason, error: update.error };
  }
}

export function stateOfError(error: SdkError): Extract<SendState, { state: 'failed' }> {
  return { state: 'failed', code: error.code, reason: error.message, error };
}
