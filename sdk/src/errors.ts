/**
 * The SDK's error catalogue: every error it throws or rejects with is an `SdkError` with one of
 * these codes, so an app branches on `code`, never on a message.
 */
import type { Nack } from '@mqtt-chat/protocol';

export const SDK_ERRORS = {
  ERR_SDK_SEND_REJECTED: 'the platform refused the send with a Nack (see `nack.reason`); resending it would be refused again',
  ERR_SDK_OUTBOX_FULL: 'too many sends are waiting for their Ack; this one was not sent (retry once some are acknowledged)',
  ERR_SDK_CLOSED: 'the client was closed: a pending connect() gave up, and whether a pending send was stored is unknown',
  ERR_SDK_UNAUTHORIZED:
    'the platform refused the token (CONNACK 4 or 5, REST 401) or getToken() failed: get a fresh token, then connect() again',
  ERR_SDK_CONNECTION_REFUSED:
    'the broker refused the connection for a reason a retry cannot change (CONNACK 1, 2 or 6: protocol, client id, keepalive): a configuration error',
  ERR_SDK_REST: 'a REST call failed (see `status` and `apiCode`)',
  ERR_SDK_E2EE:
    'end-to-end encryption failed for good: this device could not upload its keys, or a message could not be encrypted (see `cause`)',
} as const;

export type SdkErrorCode = keyof typeof SDK_ERRORS;

export class SdkError extends Error {
  readonly code: SdkErrorCode;
  /** ERR_SDK_SEND_REJECTED: the Nack. */
  readonly nack: Nack | undefined;
  /** ERR_SDK_REST: the HTTP status (0 when no answer came) and the API's error code. */
  readonly status: number | undefined;
  readonly apiCode: string | undefined;

  constructor(code: SdkErrorCode, message: string, extra: { cause?: unknown; nack?: Nack; status?: number; apiCode?: string } = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'SdkError';
    this.code = code;
    this.nack = extra.nack;
    this.status = extra.status;
    this.apiCode = extra.apiCode;
  }
}

export const isSdkError = (error: unknown): error is SdkError => error instanceof SdkError;
