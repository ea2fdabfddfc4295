/**
 * Who is online in the rooms the app watches. The platform aggregates a user's devices into one
 * retained `Presence{online, lastSeenMs}` on chat/presence/{userId} (online while any device
 * is), so watching a room is subscribing to the presence topic of each of its other members; the
 * broker hands over the retained state at once and every change after it. A user in several
 * watched rooms is subscribed once (counted per room).
 *
 * A user who has never connected has no retained presence: their state comes from GET
 * /v1/presence, asked once per watch, and taken only for users the topic has not spoken for yet
 * (a live update is newer than any REST answer that crosses it). On every new session the topics
 * are subscribed again, and the retained messages bring the states up to date.
 */
import { presenceTopic, type Presence } from '@mqtt-chat/protocol';
import { SUBACK_FAILURE, type MqttSession } from './mqtt-session.js';
import type { RestClient, UserPresence } from './rest.js';

export interface PresenceChange extends UserPresence {
  /** The watched rooms the user is a member of. */
  roomIds: string[];
}

export interface PresenceTrackerDeps {
  session(): MqttSession | undefined;
  rest: Pick<RestClient, 'presence'>;
  changed(change: PresenceChange): void;
  restFailed(what: string, error: unknown): void;
  log(fields: Record<string, unknown>, message: string): void;
}

export interface PresenceTracker {
  /** Starts (or updates) watching `roomId`, whose members are `members`; the user's own id is skipped. */
  watch(roomId: string, members: readonly string[]): Promise<void>;
  /** The member list of a room changed; ignored unless the room is watched. */
  membersChanged(roomId: string, members: readonly string[]): void;
  unwatch(roomId: string): void;
  isWatched(roomId: string): boolean;
  /** The presence of the room's other members, in member order; a member whose state is not known yet is left out. */
  roomPresence(roomId: string): UserPresence[];
  received(userId: string, presence: Presence): void;
  /** A new session is up: subscribe every watched user's presence again. */
  online(session: MqttSession): void;
}

export function createPresenceTracker(deps: PresenceTrackerDeps, options: { selfUserId: string }): PresenceTracker {
  /** Watched room → its other members. */
  const rooms = new Map<string, Set<string>>();
  /** Watched user → how many watched rooms have them. */
  const watchers = new Map<string, number>();
  const states = new Map<string, UserPresence>();
  /** Users whose state came from their topic: a REST answer no longer overrides it. */
  const live = new Set<string>();

  function roomsOf(userId: string): string[] {
    return [...rooms].flatMap(([roomId, members]) => (members.has(userId) ? [roomId] : []));
  }

  function set(state: UserPresence): void {
    const previous = states.get(state.userId);
    const isSame = previous?.online === state.online && previous.lastSeenMs === state.lastSeenMs;
    states.set(state.userId, state);
    if (!isSame) deps.changed({ ...state, roomIds: roomsOf(state.userId) });
  }

  function subscribe(session: MqttSession, userIds: readonly string[]): void {
    if (userIds.length === 0) return;
    session.subscribe(userIds.map(presenceTopic), 0).then(
      (granted) =>
        granted.forEach((code, i) => {
          if (code === SUBACK_FAILURE) deps.log({ userId: userIds[i] }, 'presence subscription refused (no shared room)');
        }),
      (error: unknown) => deps.log({ err: String(error) }, 'presence subscription failed'),
    );
  }

  /** Adds and removes users' subscriptions so that exactly the members of watched rooms are subscribed. */
  function retarget(added: readonly string[], removed: readonly string[]): void {
    const fresh = added.filter((userId) => {
      const count = watchers.get(userId) ?? 0;
      watchers.set(userId, count + 1);
      return count === 0;
    });
    const gone = removed.filter((userId) => {
      const count = (watchers.get(userId) ?? 1) - 1;
      if (count > 0) watchers.set(userId, count);
      else forget(userId);
      return count <= 0;
    });
    const session = deps.session();
    if (session === undefined) return;
    subscribe(session, fresh);
    if (gone.length > 0) session.unsubscribe(gone.map(presenceTopic));
  }

  function forget(userId: string): void {
    watchers.delete(userId);
    states.delete(userId);
    live.delete(userId);
  }

  function setMembers(roomId: string, members: readonly string[]): string[] {
    const next = new Set(members.filter((userId) => userId !== options.selfUserId));
    const previous = rooms.get(roomId) ?? new Set<string>();
    rooms.set(roomId, next);
    retarget(
      [...next].filter((userId) => !previous.has(userId)),
      [...previous].filter((userId) => !next.has(userId)),
    );
    return [...next].filter((userId) => !previous.has(userId));
  }

  async function prime(userIds: readonly string[]): Promise<void> {
    if (userIds.length === 0) return;
    try {
      for (const state of await deps.rest.presence(userIds)) {
        if (watchers.has(state.userId) && !live.has(state.userId)) set(state);
      }
    } catch (error) {
      deps.restFailed('reading presence', error); // the retained messages still bring every user who was ever online
    }
  }

  return {
    async watch(roomId, members) {
      await prime(setMembers(roomId, members));
    },
    membersChanged(roomId, members) {
      if (rooms.has(roomId)) void prime(setMembers(roomId, members));
    },
    unwatch(roomId) {
      const members = rooms.get(roomId);
      if (members === undefined) return;
      rooms.delete(roomId);
      retarget([], [...members]);
    },
    isWatched: (roomId) => rooms.has(roomId),
    roomPresence(roomId) {
      return [...(rooms.get(roomId) ?? [])].flatMap((userId) => {
        const state = states.get(userId);
        return state === undefined ? [] : [{ ...state }];
      });
    },
    received(userId, presence) {
      if (!watchers.has(userId)) return; // a retained message for a topic just unsubscribed
      live.add(userId);
      set({ userId, online: presence.online, lastSeenMs: presence.lastSeenMs });
    },
    online(session) {
      subscribe(session, [...watchers.keys()]);
    },
  };
}
