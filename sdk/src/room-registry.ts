/**
 * The rooms the client follows: which ones (the user's rooms from GET /v1/rooms, rooms the app
 * names, rooms the inbox says the user joined), their subscriptions on the current session, the
 * member version each send must carry, and what the room list shows of each (`RoomSummary`,
 * announced whenever it changes). The broker's SUBACK is the authority on membership: a refused
 * room subscription unfollows the room.
 */
import { RoomEventKind, type Message, type RoomEvent } from '@mqtt-chat/protocol';
import type { Clock } from './clock.js';
import type { BackoffOptions } from './backoff.js';
import { createFollowedRoom, roomTopics, type FollowedRoom } from './followed-room.js';
import { SUBACK_FAILURE, type MqttSession } from './mqtt-session.js';
import { roomPages, type RestClient, type RoomInfo } from './rest.js';
import { emptyFacts, sameSummary, summarize, type RoomSummary } from './room-summary.js';
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
  /** A followed room's summary changed (or the room is new): name, lastSeq, readSeq, unread, members. */
  roomUpdated: RoomSummary;
  /** The room is no longer followed (the user left or was removed). */
  roomRemoved: { roomId: string };
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
  /** A room followed with no stored lastSeq delivers only its newest this-many messages (undefined: all). */
  initialHistoryLimit: number | undefined;
}

export interface RoomRegistry {
  get(roomId: string): FollowedRoom | undefined;
  ids(): string[];
  summary(roomId: string): RoomSummary | undefined;
  summaries(): RoomSummary[];
  /** Follows a room the app named (if not yet), and learns its member version so the first send is not Nacked. */
  followNamed(roomId: string, state?: RoomState): FollowedRoom;
  /** Follows every room GET /v1/rooms lists, and takes their member versions, names and read marks. */
  followListed(): Promise<void>;
  /** Subscribes `leadingTopic` and every followed room in one SUBSCRIBE; resolves with the SUBACK code of `leadingTopic`. */
  subscribeAll(session: MqttSession, leadingTopic: string): Promise<number>;
  /** The session is gone. */
  offline(): void;
  /** Learns the room as GET /v1/rooms/{id} says it is now (members included); rejects when the call fails. */
  load(roomId: string): Promise<RoomSummary>;
  /**
   * `load`, raising the member version to at least `atLeastVersion` first; never rejects (a
   * failure is reported and the summary stays).
   */
  refresh(roomId: string, atLeastVersion: number): Promise<RoomSummary | undefined>;
  apply(event: RoomEvent): void;
  /**
   * A send of the user's (from this device or another) was acked with `seq`: the room has at least
   * that many messages, and the user has read up to it (the platform moves its read mark there).
   */
  sawOwnSend(roomId: string, seq: number): void;
  /** A read receipt arrived; the user's own (from any device) moves the room's read mark. */
  sawReceipt(roomId: string, userId: string, readSeq: number): void;
  markRead(roomId: string, seq: number): void;
  counters(): { duplicates: number; gapFetches: number };
}

export function createRoomRegistry(deps: RoomRegistryDeps, options: RoomRegistryOptions): RoomRegistry {
  const rooms = new Map<string, FollowedRoom>();
  const announced = new Map<string, RoomSummary>();
  const retired = { duplicates: 0, gapFetches: 0 };

  /** Tells the app the room's summary, if it changed since it was last told. */
  function announce(room: FollowedRoom): void {
    if (rooms.get(room.roomId) !== room) return;
    const summary = summarize(room.roomId, room.facts, room.memberVersion);
    const previous = announced.get(room.roomId);
    if (previous !== undefined && sameSummary(previous, summary)) return;
    announced.set(room.roomId, summary);
    deps.emit('roomUpdated', summary);
  }

  function raiseVersion(roomId: string, version: number): void {
    const room = rooms.get(roomId);
    if (room !== undefined) room.memberVersion = Math.max(room.memberVersion, version);
  }

  function learn(room: FollowedRoom, info: RoomInfo): void {
    room.memberVersion = Math.max(room.memberVersion, info.memberVersion);
    room.facts.name = info.name;
    room.facts.kind = info.kind;
    room.sawSeq(info.lastSeq);
    if (info.readSeq !== undefined) room.sawRead(info.readSeq);
    if (info.members !== undefined) room.facts.members = new Set(info.members);
    announce(room);
  }

  function follow(roomId: string, state: RoomState, memberVersion: number): FollowedRoom {
    const existing = rooms.get(roomId);
    if (existing !== undefined) return existing;
    const room: FollowedRoom = createFollowedRoom(
      {
        clock: deps.clock,
        session: () => deps.session(),
        typingChanged: (id, userIds) => deps.emit('typing', { roomId: id, userIds }),
        sync: {
          random: deps.random,
          rest: deps.rest,
          deliver(message) {
            room.sawSeq(message.seq);
            // The user's own message is read by definition: the platform moved the read mark to it when it stored it.
            if (message.senderId === options.selfUserId) room.sawRead(message.seq);
            deps.emit('message', message);
            announce(room);
          },
          historyTruncated: (event) => deps.emit('historyTruncated', event),
          epochChanged(event) {
            // Seqs start again: the old counts mean nothing; the platform says what they are now.
            room.facts.lastSeq = 0;
            room.facts.readSeq = 0;
            deps.emit('epochChanged', event);
            announce(room);
            void registry.refresh(roomId, 0);
          },
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
        ...(options.initialHistoryLimit === undefined ? {} : { initialLatest: options.initialHistoryLimit }),
        ...state,
      },
    );
    if (state.lastSeq !== undefined) room.sawSeq(state.lastSeq);
    rooms.set(roomId, room);
    announce(room);
    void subscribeOne(room);
    return room;
  }

  function unfollow(roomId: string): void {
    const room = rooms.get(roomId);
    if (room === undefined) return;
    rooms.delete(roomId);
    announced.delete(roomId);
    const counters = room.sync.counters();
    retired.duplicates += counters.duplicates;
    retired.gapFetches += counters.gapFetches;
    room.dispose();
    if (room.subscribed) deps.session()?.unsubscribe(roomTopics(roomId));
    deps.emit('roomRemoved', { roomId });
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

  /** A member other than the user joined or left: the room's member list, if known, follows. */
  function applyMemberChange(room: FollowedRoom, event: RoomEvent): void {
    const members = room.facts.members;
    if (members === undefined || event.userId === '') return;
    if (event.kind === RoomEventKind.ROOM_EVENT_KIND_MEMBER_ADDED) members.add(event.userId);
    if (event.kind === RoomEventKind.ROOM_EVENT_KIND_MEMBER_REMOVED) members.delete(event.userId);
  }

  const registry: RoomRegistry = {
    get: (roomId) => rooms.get(roomId),
    ids: () => [...rooms.keys()],
    summary: (roomId) => announced.get(roomId),
    summaries: () => [...announced.values()],
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
          for (const info of page) learn(follow(info.id, { epoch: info.epoch }, info.memberVersion), info);
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
    async load(roomId) {
      const info = await deps.rest.getRoom(roomId);
      const room = rooms.get(roomId);
      if (room !== undefined) learn(room, info);
      return announced.get(roomId) ?? summaryOf(info);
    },
    async refresh(roomId, atLeastVersion) {
      raiseVersion(roomId, atLeastVersion);
      try {
        return await registry.load(roomId);
      } catch (error) {
        deps.restFailed(`refreshing ${roomId}`, error); // a resend then carries the Nack's version; a non-member gets NOT_MEMBER
        return announced.get(roomId);
      }
    },
    apply(event) {
      raiseVersion(event.roomId, event.memberVersion);
      const room = rooms.get(event.roomId);
      // The inbox carries only events about the user: CREATED (with no user id) and their own add or removal.
      const isAboutMe = event.userId === options.selfUserId || event.kind === RoomEventKind.ROOM_EVENT_KIND_CREATED;
      if (!isAboutMe) {
        if (room === undefined) return;
        applyMemberChange(room, event);
        announce(room);
        if (event.kind === RoomEventKind.ROOM_EVENT_KIND_METADATA_CHANGED) void registry.refresh(event.roomId, 0);
        return;
      }
      if (event.kind === RoomEventKind.ROOM_EVENT_KIND_MEMBER_REMOVED) return unfollow(event.roomId);
      if (!options.followJoined || room !== undefined) return;
      follow(event.roomId, {}, event.memberVersion);
      void registry.refresh(event.roomId, event.memberVersion); // its name, read mark and members
    },
    sawOwnSend(roomId, seq) {
      const room = rooms.get(roomId);
      if (room === undefined) return;
      room.sawSeq(seq);
      room.sawRead(seq);
      announce(room);
    },
    sawReceipt(roomId, userId, readSeq) {
      const room = rooms.get(roomId);
      if (room === undefined || userId !== options.selfUserId) return;
      room.sawRead(readSeq);
      announce(room);
    },
    markRead(roomId, seq) {
      const room = registry.followNamed(roomId);
      room.markRead(seq);
      announce(room);
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

/** A room the client does not follow (it left meanwhile), as the platform described it. */
function summaryOf(info: RoomInfo): RoomSummary {
  const facts = { ...emptyFacts(), name: info.name, kind: info.kind, lastSeq: info.lastSeq, readSeq: info.readSeq ?? 0 };
  return summarize(info.id, { ...facts, members: info.members === undefined ? undefined : new Set(info.members) }, info.memberVersion);
}
