/**
 * Sends waiting for their Ack (docs/durable-path.md#retries-and-healing). Each send gets one
 * clientMsgId for life and is published again under it, oldest first, after every reconnect and
 * whenever `ackTimeoutMs` plus a full-jitter backoff passes without an answer, until the platform
 * answers with an Ack (resolve with the seq) or a final Nack (reject). The platform dedups on
 * (room, sender, clientMsgId), so a resend of a stored send gets the original seq: retrying is
 * always safe.
 *
 * A Nack STALE_ROOM_VERSION is not final: the room is refreshed and the send goes out again
 * with the same clientMsgId (the group permission race,
 * docs/durable-path.md#group-permission-race). Nor are the retryable Nacks RATE_LIMITED and
 * UNAVAILABLE (nothing was stored), but they say something about the platform, not about one
 * send: the device is over its send rate, or the database is away. So the whole outbox holds
 * for the Nack's `retryAfterMs` plus a jittered backoff (a fleet told to wait does not come back
 * in lock-step), and then sends through a window that starts at one send and doubles with every
 * Ack, oldest first. Without that, each send kept its own retry timer: a phone with a few
 * hundred sends queued re-sent all of them every round, the rate limiter let a lucky few
 * through, and an unlucky send could lose that lottery for minutes.
 *
 * Memory is bounded by `maxOutstanding`. At the bound a new send is refused at once rather than
 * an old one dropped: an old send may already be stored, so dropping it would report a fate we
 * do not know, while the new one has provably not left the phone.
 */
import { NackReason, type Ack, type Nack } from '@mqtt-chat/protocol';
import type { Clock, TimerHandle } from './clock.js';
import { backoffDelayMs, type BackoffOptions } from './backoff.js';
import { SdkError } from './errors.js';
import { stateOfError, type SendResult, type SendUpdate } from './send-handle.js';

export const DEFAULT_ACK_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_OUTSTANDING_SENDS = 1000;
/** Refresh-and-resend rounds after STALE_ROOM_VERSION before giving up (a room whose membership churns faster than a round trip). */
export const STALE_RESEND_LIMIT = 5;

/** Nacks that say "not now" rather than "no": nothing was stored, and the same send may go out again. */
const RETRYABLE_NACKS: ReadonlySet<NackReason> = new Set([NackReason.NACK_REASON_RATE_LIMITED, NackReason.NACK_REASON_UNAVAILABLE]);

export interface OutgoingSend {
  roomId: string;
  clientMsgId: string;
  body: Uint8Array;
  contentType: string;
}

export interface OutboxDeps {
  clock: Clock;
  random: () => number;
  /** Publishes the send now (QoS 1, with the room version the client knows). */
  publish(send: OutgoingSend): void;
  /** Learns the room's current member version; never rejects (the Nack's version is the fallback). */
  refreshRoom(roomId: string, nackedVersion: number): Promise<void>;
  newClientMsgId(): string;
  /** Every transition of every send: pending, then acked or failed. */
  progress(update: SendUpdate): void;
}

export interface OutboxOptions {
  ackTimeoutMs: number;
  /** The extra, jittered wait added to `ackTimeoutMs` for the n-th resend. */
  retryBackoff: BackoffOptions;
  maxOutstanding: number;
}

export interface Submitted {
  clientMsgId: string;
  result: Promise<SendResult>;
}

export interface Outbox {
  /** `listener` hears the send's own transitions (before `progress` does). */
  submit(roomId: string, body: Uint8Array, contentType: string, listener?: (update: SendUpdate) => void): Submitted;
  /** True when the Ack was for one of ours (the inbox also carries Acks of the user's other devices). */
  ack(ack: Ack): boolean;
  nack(nack: Nack): boolean;
  /** The send cannot go out at all (end-to-end encryption refused it): it fails with `error`, unsent. */
  fail(clientMsgId: string, error: SdkError): void;
  /** The connection is up and subscribed to the inbox: send everything pending, oldest first. */
  online(): void;
  /** The connection is down: stop the retry timers until `online()`. */
  offline(): void;
  rejectAll(error: SdkError): void;
  size(): number;
  counters(): { resends: number; staleRefreshes: number };
}

interface Pending extends OutgoingSend {
  publishes: number;
  /** Published on this connection and not yet answered (a retryable Nack puts it back in line). */
  inFlight: boolean;
  staleRefreshes: number;
  refreshing: boolean;
  timer: TimerHandle | undefined;
  resolve(result: SendResult): void;
  reject(error: SdkError): void;
}

type Report = (update: SendUpdate) => void;

export function createOutbox(deps: OutboxDeps, options: OutboxOptions): Outbox {
  /** By clientMsgId; a Map iterates in insertion order, which is age order. */
  const pending = new Map<string, Pending>();
  let isOnline = false;
  const counters = { resends: 0, staleRefreshes: 0 };
  /** How many sends may be in flight: unbounded until a retryable Nack, then 1, doubling per Ack. */
  let window = options.maxOutstanding;
  let inFlightCount = 0;
  let hold: { timer: TimerHandle } | undefined;
  /** Holds in a row without an Ack in between: the backoff's attempt number. */
  let holdsInARow = 0;

  function clearTimer(entry: Pending): void {
    if (entry.timer !== undefined) deps.clock.clearTimeout(entry.timer);
    entry.timer = undefined;
  }

  function land(entry: Pending): void {
    clearTimer(entry);
    if (entry.inFlight) inFlightCount -= 1;
    entry.inFlight = false;
  }

  function transmit(entry: Pending): void {
    if (!isOnline || entry.refreshing || hold !== undefined) {
      land(entry); // pump() sends it again, in its place in line
      return;
    }
    clearTimer(entry);
    if (!entry.inFlight) inFlightCount += 1;
    entry.inFlight = true;
    if (entry.publishes > 0) counters.resends += 1;
    deps.publish({ roomId: entry.roomId, clientMsgId: entry.clientMsgId, body: entry.body, contentType: entry.contentType });
    const waitMs = options.ackTimeoutMs + backoffDelayMs(entry.publishes, options.retryBackoff, deps.random);
    entry.publishes += 1;
    entry.timer = deps.clock.setTimeout(() => transmit(entry), waitMs);
  }

  /** Publishes waiting sends, oldest first, while the window has room. */
  function pump(): void {
    if (!isOnline || hold !== undefined) return;
    for (const entry of pending.values()) {
      if (inFlightCount >= window) return;
      if (!entry.inFlight && !entry.refreshing) transmit(entry);
    }
  }

  function settle(clientMsgId: string, roomId: string): Pending | undefined {
    const entry = pending.get(clientMsgId);
    if (entry === undefined || entry.roomId !== roomId) return undefined;
    land(entry);
    pending.delete(clientMsgId);
    return entry;
  }

  /** A retryable Nack: this send goes back in line and the outbox waits before sending anything. */
  function holdFor(entry: Pending, retryAfterMs: number): void {
    land(entry);
    window = 1;
    if (hold !== undefined) return; // the rest of a window answered the same way: one hold is enough
    holdsInARow += 1;
    const waitMs = retryAfterMs + backoffDelayMs(holdsInARow, options.retryBackoff, deps.random);
    hold = {
      timer: deps.clock.setTimeout(() => {
        hold = undefined;
        pump();
      }, waitMs),
    };
  }

  function refreshAndResend(entry: Pending, nack: Nack): void {
    land(entry);
    entry.staleRefreshes += 1;
    entry.refreshing = true;
    counters.staleRefreshes += 1;
    void deps.refreshRoom(entry.roomId, nack.roomVersion).then(() => {
      entry.refreshing = false;
      if (pending.get(entry.clientMsgId) === entry) transmit(entry);
    });
  }

  return {
    submit(roomId, body, contentType, listener) {
      const clientMsgId = deps.newClientMsgId();
      const report: Report = (update) => {
        listener?.(update);
        deps.progress(update);
      };
      if (pending.size >= options.maxOutstanding) {
        const error = new SdkError('ERR_SDK_OUTBOX_FULL', `${pending.size} sends are waiting for their Ack`);
        report({ roomId, clientMsgId, ...stateOfError(error) });
        return { clientMsgId, result: Promise.reject(error) };
      }
      const result = new Promise<SendResult>((resolve, reject) => {
        const entry: Pending = {
          roomId,
          clientMsgId,
          body,
          contentType,
          publishes: 0,
          inFlight: false,
          staleRefreshes: 0,
          refreshing: false,
          timer: undefined,
          resolve(outcome) {
            report({ roomId, clientMsgId, state: 'acked', seq: outcome.seq });
            resolve(outcome);
          },
          reject(error) {
            report({ roomId, clientMsgId, ...stateOfError(error) });
            reject(error);
          },
        };
        pending.set(clientMsgId, entry);
        report({ roomId, clientMsgId, state: 'pending' });
        pump();
      });
      return { clientMsgId, result };
    },
    ack(ack) {
      const entry = settle(ack.clientMsgId, ack.roomId);
      if (entry === undefined) return false;
      holdsInARow = 0;
      window = Math.min(window * 2, options.maxOutstanding);
      entry.resolve({ roomId: ack.roomId, clientMsgId: ack.clientMsgId, seq: ack.seq });
      pump();
      return true;
    },
    nack(nack) {
      const entry = pending.get(nack.clientMsgId);
      if (entry === undefined || entry.roomId !== nack.roomId) return false;
      if (RETRYABLE_NACKS.has(nack.reason)) {
        holdFor(entry, nack.retryAfterMs);
        return true;
      }
      const isStale = nack.reason === NackReason.NACK_REASON_STALE_ROOM_VERSION;
      if (isStale && entry.staleRefreshes < STALE_RESEND_LIMIT) {
        refreshAndResend(entry, nack);
        return true;
      }
      settle(nack.clientMsgId, nack.roomId);
      pump();
      entry.reject(
        new SdkError('ERR_SDK_SEND_REJECTED', `send ${nack.clientMsgId} refused: ${NackReason[nack.reason] ?? nack.reason}`, { nack }),
      );
      return true;
    },
    fail(clientMsgId, error) {
      const entry = pending.get(clientMsgId);
      if (entry === undefined) return;
      settle(clientMsgId, entry.roomId);
      pump(); // its place in the window is free
      entry.reject(error);
    },
    online() {
      isOnline = true;
      // A new connection: nothing published on the old one is in flight any more.
      for (const entry of pending.values()) land(entry);
      pump();
    },
    offline() {
      isOnline = false;
      for (const entry of pending.values()) land(entry);
    },
    rejectAll(error) {
      const entries = [...pending.values()];
      pending.clear();
      if (hold !== undefined) deps.clock.clearTimeout(hold.timer);
      hold = undefined;
      for (const entry of entries) {
        land(entry);
        entry.reject(error);
      }
    },
    size: () => pending.size,
    counters: () => ({ ...counters }),
  };
}
