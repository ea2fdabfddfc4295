/**
 * What an app sees of the client: its methods, its events and its counters. The implementation
 * is `chat-client.ts`.
 */
import type { RoomEvent } from '@mqtt-chat/protocol';
import type { E2ee } from './e2ee/e2ee-api.js';
import type { ChatMessage } from './e2ee/opener.js';
import type { OlderPage } from './history-pager.js';
import type { PresenceChange } from './presence.js';
import type { PushRegistration, UserPresence } from './rest.js';
import type { RoomRegistryEvents, RoomState } from './room-registry.js';
import type { RoomSummary } from './room-summary.js';
import type { SendHandle, SendUpdate } from './send-handle.js';
import type { ClientStatus } from './status.js';
import type { TypingSender } from './typing/typing-sender.js';

export interface ChatClientEvents extends RoomRegistryEvents {
  /** Each (room, seq) once, in seq order per room; decrypted in place in an encrypted room (see `e2ee`). */
  message: ChatMessage;
  /** Every transition of the connection, with `{code, reason}`. */
  status: ClientStatus;
  /** Read receipts of every member, the user's own (from any of their devices) included. */
  receipt: { roomId: string; userId: string; readSeq: number };
  roomEvent: RoomEvent;
  /** Every transition of every send: pending, then acked or failed. */
  send: SendUpdate;
  /** A member of a watched room went online or offline. */
  presence: PresenceChange;
}

export interface ClientStats {
  /** Payloads on the client's topics that did not decode or made no sense: dropped. */
  malformed: number;
  /** Messages seen again (live after a fetch, a resend's re-publish): dropped. */
  duplicates: number;
  /** Gaps that outlasted gapWaitMs and were fetched over REST. */
  gapFetches: number;
  /** Sends published again (reconnect or ack timeout). */
  resends: number;
  /** Sends refreshed and resent after Nack STALE_ROOM_VERSION. */
  staleRefreshes: number;
}

export interface ChatClient {
  /**
   * Starts connecting (unless connecting or connected). Resolves once connected; rejects with an
   * SdkError when the connection stops for good: ERR_SDK_UNAUTHORIZED (bad or expired token),
   * ERR_SDK_CONNECTION_REFUSED, ERR_SDK_CLOSED. Network failures are retried in the background
   * meanwhile, and after the first connect, reconnects happen on their own ('status' events).
   */
  connect(): Promise<void>;
  /** The phone moved to another network (Wi-Fi ↔ cellular): reconnect now and re-learn the heartbeat interval. */
  networkChanged(): void;
  /** Disconnects gracefully; pending sends fail with ERR_SDK_CLOSED, a pending connect() too. */
  close(): void;
  status(): ClientStatus;
  on<K extends keyof ChatClientEvents>(event: K, listener: (payload: ChatClientEvents[K]) => void): () => void;
  /**
   * Sends a message: a promise of the seq (resolves on the platform's Ack, rejects with an
   * SdkError on a final Nack) that also tells its `clientMsgId` and progress (`state()`,
   * `onChange()`). A string body goes as UTF-8 with contentType 'text/plain' unless one is given.
   * Sent while offline, it waits for the connection and is resent until answered.
   */
  send(roomId: string, body: Uint8Array | string, options?: { contentType?: string }): SendHandle;
  /** Follows a room (optionally from the state the app stored); rooms are followed automatically with `followAllRooms`. */
  followRoom(roomId: string, state?: RoomState): void;
  /** The followed rooms, as a room list shows them (name, lastSeq, readSeq, unread, members when known). */
  rooms(): RoomSummary[];
  room(roomId: string): RoomSummary | undefined;
  /** Follows the room and fetches it (members included); rejects with ERR_SDK_REST when that fails. */
  refreshRoom(roomId: string): Promise<RoomSummary>;
  /** The last seq delivered to the app in the room (0 for none). */
  lastSeq(roomId: string): number;
  /**
   * The next `limit` (1-500) messages older than what the client has of the room, ascending: below
   * the oldest message it delivered, or below `before`. `reachedStart` says nothing older can come.
   */
  loadOlder(roomId: string, limit: number, options?: { before?: number }): Promise<ChatOlderPage>;
  /** Watches who of the room's other members is online ('presence' events); resolves with their states. */
  watchPresence(roomId: string): Promise<UserPresence[]>;
  unwatchPresence(roomId: string): void;
  /** The presence of a watched room's other members whose state is known. */
  presence(roomId: string): UserPresence[];
  typing(roomId: string): TypingSender;
  /** Marks the room read up to `seq` (default: the last message delivered), for the user's other devices and the members. */
  markRead(roomId: string, seq?: number): void;
  /** Registers this device's push token, so the platform pushes to it while it is offline. */
  registerPushToken(registration: PushRegistration): Promise<void>;
  stats(): ClientStats;
  /** End-to-end encryption, when the client was created with the `e2ee` option. */
  readonly e2ee: E2ee | undefined;
}

/** A page of older messages, decrypted in place in an encrypted room (best effort: keys move forward). */
export interface ChatOlderPage extends OlderPage {
  messages: ChatMessage[];
}
