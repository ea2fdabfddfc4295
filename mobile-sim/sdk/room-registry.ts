/**
 * The rooms the client follows: which ones (the user's rooms from GET /v1/rooms, rooms the app
 * names, rooms the inbox says the user joined), their subscriptions on the current session, and
 * the member version each send must carry. The broker's SUBACK is the authority on membership:
 * a refused room subscription unfollows the room.
 */
import { RoomEventKind, type Message, type RoomEvent } from '../../schema/index.js';
import type { Clock } from '../clock.js';
import type { BackoffOptions } from './backoff.js';
import { createFollowedRoom, roomTopics, type FollowedRoom } from './followed-room.js';
import { SUBACK_FAILURE, type MqttSession } from './mqtt-session.js';
import { roomPages, type RestClient } from './rest.js';
import type { EpochChanged, HistoryTruncated } from './room-sync.js';

export interface RoomState {
  /** The last seq the app already has for the room (from its storage). */
  lastSeq?: number;
  epoch?: number;
}

/** What the registry tells the app; part of the client's events. */
export interface RoomRegistryEvents {
  /** Each (room, seq) once, in seq order per room. */
  message: Message;
  typing: { roomId: string; userIds: string[] };
  /** The broker granted the room's subscriptions on the current connection: its messages now arrive live. */
  roomSubscribed: { roomId: string };
  historyTruncated: HistoryTruncated;
  /** The room's history was reset: seqs start again from 1; drop what was stored for it. */
  epochChanged: EpochChanged;
}

export interface RoomRegistryDeps {
  clock: Clock;
  random: () => number;
  rest: RestClient;
  session(): MqttSession | undefined;
  emit<K extends keyof RoomRegistryEvents>(event: K, payload: RoomRegistryEvents[K]): void;
  restFailed(what: string, error: unknown): void;
  log(fields: Record<string, unknown>, message: string): void;
}

export interface RoomRegistryOptions {
  selfUserId: string;
  /** Follow rooms the inbox says the user was added to. */
  followJoined: boolean;
  gapWaitMs: number;
  maxHeld: number;
  fetchRetryBackoff: BackoffOptions;
}

export interface RoomRegistry {
  get(roomId: string): FollowedRoom | undefined;
  ids(): string[];
  /** Follows a room the app named (if not yet), and learns its member version so the first send is not Nacked. */
  followNamed(roomId: string, state?: RoomState): FollowedRoom;
  /** Follows every room GET /v1/rooms lists (all its pages), and takes their member versions. */
  followListed(): Promise<void>;
  /** Subscribes `leadingTopic` and every followed room in one SUBSCRIBE; resolves with the SUBACK code of `leadingTopic`. */
  subscribeAll(session: MqttSession, leadingTopic: string): Promise<number>;
  /** The session is gone. */
  offline(): void;
  /** Raises the room's member version to what the platform says now (never below `atLeastVersion`); never rejects. */
  refresh(roomId: string, atLeastVersion: number): Promise<void>;
  apply(event: RoomEvent): void;
  counters(): { duplicates: number; gapFetches: number };
}

export function createRoomRegistry(deps: RoomRegistryDeps, options: RoomRegistryOptions): RoomRegistry {
  const rooms = new Map<string, FollowedRoom>();
  const retired = { duplicates: 0, gapFetches: 0 };

  function raiseVersion(roomId: string, version: number): void {
    const room = rooms.get(roomId);
    if (room !== undefined) room.memberVersion = Math.max(room.memberVersion, version);
  }

  function follow(roomId: string, state: RoomState, memberVersion: number): FollowedRoom {
    const existing = rooms.get(roomId);
    if (existing !== undefined) return existing;
    const room = createFollowedRoom(
      {
        clock: deps.clock,
        session: () => deps.session(),
        typingChanged: (id, userIds) => deps.emit('typing', { roomId: id, userIds }),
        sync: {
          random: deps.random,
          rest: deps.rest,
          deliver: (message) => deps.emit('message', message),
          historyTruncated: (event) => deps.emit('historyTruncated', event),
          epochChanged: (event) => deps.emit('epochChanged', event),
          fetchFailed: (error) => deps.restFailed(`catching up ${roomId}`, error),
        },
      },
      {
        roomId,
        memberVersion,
        selfUserId: options.selfUserId,
        gapWaitMs: options.gapWaitMs,
        maxHeld: options.maxHeld,
        retryBackoff: options.fetchRetryBackoff,
        ...state,
      },
    );
    rooms.set(roomId, room);
    void subscribeOne(room);
    return room;
  }

  function unfollow(roomId: string): void {
    const room = rooms.get(roomId);
    if (room === undefined) return;
    rooms.delete(roomId);
    const counters = room.sync.counters();
    retired.duplicates += counters.duplicates;
    retired.gapFetches += counters.gapFetches;
    room.dispose();
    if (room.subscribed) deps.session()?.unsubscribe(roomTopics(roomId));
  }

  /** A room followed while connected gets its own SUBSCRIBE; otherwise `subscribeAll` takes it on the next session. */
  async function subscribeOne(room: FollowedRoom): Promise<void> {
    const session = deps.session();
    if (session === undefined) return;
    const granted = await session.subscribe(roomTopics(room.roomId), 1).catch(() => undefined);
    if (granted !== undefined && deps.session() === session) subscribed(room, granted, session);
  }

  function subscribed(room: FollowedRoom, granted: number[], session: MqttSession): void {
    if (rooms.get(room.roomId) !== room) return; // unfollowed meanwhile
    if (granted.some((code) => code === SUBACK_FAILURE)) {
      deps.log({ roomId: room.roomId }, 'room subscription refused (not a member): unfollowing');
      return unfollow(room.roomId);
    }
    room.subscribed = true;
    room.flush(session);
    room.sync.online();
    deps.emit('roomSubscribed', { roomId: room.roomId });
  }

  const registry: RoomRegistry = {
    get: (roomId) => rooms.get(roomId),
    ids: () => [...rooms.keys()],
    followNamed(roomId, state = {}) {
      const known = rooms.get(roomId);
      if (known !== undefined) return known;
      const room = follow(roomId, state, 0);
      void registry.refresh(roomId, 0);
      return room;
    },
    async followListed() {
      try {
        // Page by page: a user in thousands of rooms follows the first ones before the last page arrives, and keeps them if a later page fails.
        for await (const page of roomPages(deps.rest)) {
          for (const info of page) {
            raiseVersion(info.id, info.memberVersion);
            follow(info.id, { epoch: info.epoch }, info.memberVersion);
          }
        }
      } catch (error) {
        deps.restFailed('listing rooms', error); // again on the next connect; inbox RoomEvents still add rooms meanwhile
      }
    },
    async subscribeAll(session, leadingTopic) {
      const followed = [...rooms.values()].map((room) => ({ room, topics: roomTopics(room.roomId) }));
      const granted = await session.subscribe([leadingTopic, ...followed.flatMap(({ topics }) => topics)], 1);
      let offset = 1;
      for (const { room, topics } of followed) {
        subscribed(room, granted.slice(offset, offset + topics.length), session);
        offset += topics.length;
      }
      return granted[0] ?? SUBACK_FAILURE;
    },
    offline() {
      for (const room of rooms.values()) {
        room.subscribed = false;
        room.sync.offline();
      }
    },
    async refresh(roomId, atLeastVersion) {
      raiseVersion(roomId, atLeastVersion);
      try {
        raiseVersion(roomId, (await deps.rest.getRoom(roomId)).memberVersion);
      } catch (error) {
        deps.restFailed(`refreshing ${roomId}`, error); // a resend then carries the Nack's version; a non-member gets NOT_MEMBER
      }
    },
    apply(event) {
      raiseVersion(event.roomId, event.memberVersion);
      // The inbox carries only events about the user: CREATED (with no user id) and their own add or removal.
      const isAboutMe = event.userId === options.selfUserId || event.kind === RoomEventKind.ROOM_EVENT_KIND_CREATED;
      if (!isAboutMe) return;
      if (event.kind === RoomEventKind.ROOM_EVENT_KIND_MEMBER_REMOVED) unfollow(event.roomId);
      else if (options.followJoined) follow(event.roomId, {}, event.memberVersion);
    },
    counters() {
      const perRoom = [...rooms.values()].map((room) => room.sync.counters());
      return {
        duplicates: perRoom.reduce((sum, c) => sum + c.duplicates, retired.duplicates),
        gapFetches: perRoom.reduce((sum, c) => sum + c.gapFetches, retired.gapFetches),
      };
    },
  };
  return registry;
}
