/**
 * What the page shows, kept from the SDK client's events: the connection status, the room list
 * (unread counts from the SDK, presence per room), and per room its messages in seq order, the
 * user's sends still on their way, who is typing, and how far each member has read. Components
 * read `state()` and re-render on `subscribe`; everything they do goes through the methods.
 *
 * Ordering and gap-fill are the SDK's: each (room, seq) arrives once and in order, also after an
 * outage. The page only merges two sources into one list: live messages, and older pages
 * (`loadOlder`) that a scroll to the top asks for.
 */
import { messageText, type ChatClient, type ClientStatus, type Message, type RoomSummary } from '@mqtt-chat/sdk';

export interface ShownMessage {
  seq: number;
  senderId: string;
  text: string;
  sentAtMs: number;
  clientMsgId: string;
}

/** One of the user's sends that has not come back as a message yet. */
export interface OutgoingMessage {
  clientMsgId: string;
  text: string;
  state: 'pending' | 'acked' | 'failed';
  reason?: string;
}

export interface RoomView {
  messages: ShownMessage[];
  outgoing: OutgoingMessage[];
  typing: string[];
  /** Member → the seq they have read up to (from their receipts). */
  readMarks: ReadonlyMap<string, number>;
  /** Member → online, for the members whose presence is known. */
  presence: ReadonlyMap<string, boolean>;
  reachedStart: boolean;
  loadingOlder: boolean;
}

export interface ChatState {
  status: ClientStatus;
  /** When the next attempt goes out (performance.now() clock), while connecting. */
  retryAtMs: number | undefined;
  rooms: RoomSummary[];
  selected: string | undefined;
  room(roomId: string): RoomView;
}

export interface ChatStore {
  state(): ChatState;
  subscribe(listener: () => void): () => void;
  select(roomId: string): void;
  send(text: string): void;
  keystroke(): void;
  inputCleared(): void;
  loadOlder(): void;
  /** The page is visible again: the selected room is read. */
  seen(): void;
  createRoom(name: string, memberIds: string[]): Promise<void>;
  close(): void;
}

interface RoomData {
  messages: Map<number, ShownMessage>;
  sorted: ShownMessage[] | undefined;
  outgoing: OutgoingMessage[];
  typing: string[];
  readMarks: Map<string, number>;
  presence: Map<string, boolean>;
  reachedStart: boolean;
  loadingOlder: boolean;
  watched: boolean;
}

export const OLDER_PAGE_SIZE = 30;

const shown = (message: Message): ShownMessage => ({
  seq: message.seq,
  senderId: message.senderId,
  text: message.contentType === '' || message.contentType.startsWith('text/') ? messageText(message) : `(${message.contentType})`,
  sentAtMs: message.sentAtMs,
  clientMsgId: message.clientMsgId,
});

export function createChatStore(
  client: ChatClient,
  options: {
    userId: string;
    /** The room open when the page was last left (restored across a reload); nothing is opened by itself otherwise. */
    initialRoomId: string | undefined;
    selected: (roomId: string | undefined) => void;
    createRoom: (name: string, memberIds: string[]) => Promise<void>;
    /** Whether the user can see the page now (a hidden tab reads nothing). */
    isVisible: () => boolean;
  },
): ChatStore {
  const listeners = new Set<() => void>();
  const rooms = new Map<string, RoomData>();
  let status = client.status();
  let retryAtMs: number | undefined;
  // Opening a room reads it, so none is opened but by the user (or as the user left it).
  let selected: string | undefined = options.initialRoomId;

  const changed = (): void => {
    for (const listener of listeners) listener();
  };

  function data(roomId: string): RoomData {
    let room = rooms.get(roomId);
    if (room === undefined) {
      room = {
        messages: new Map(),
        sorted: undefined,
        outgoing: [],
        typing: [],
        readMarks: new Map(),
        presence: new Map(),
        reachedStart: false,
        loadingOlder: false,
        watched: false,
      };
      rooms.set(roomId, room);
    }
    return room;
  }

  function add(roomId: string, messages: readonly Message[]): void {
    const room = data(roomId);
    for (const message of messages) {
      room.messages.set(message.seq, shown(message));
      room.outgoing = room.outgoing.filter((o) => o.clientMsgId !== message.clientMsgId);
    }
    room.sorted = undefined;
  }

  function markSelectedRead(): void {
    if (selected !== undefined && options.isVisible() && client.lastSeq(selected) > 0) client.markRead(selected);
  }

  function watch(roomId: string): void {
    const room = data(roomId);
    if (room.watched) return;
    room.watched = true;
    client.watchPresence(roomId).then(
      (states) => {
        for (const state of states) room.presence.set(state.userId, state.online);
        changed();
      },
      () => (room.watched = false), // tried again at the room's next update
    );
  }

  const offs = [
    client.on('status', (next) => {
      status = next;
      retryAtMs = next.state === 'connecting' ? performance.now() + next.delayMs : undefined;
      changed();
    }),
    client.on('roomUpdated', (summary) => {
      data(summary.id);
      watch(summary.id);
      changed();
    }),
    client.on('roomRemoved', ({ roomId }) => {
      rooms.delete(roomId);
      if (selected === roomId) {
        selected = undefined;
        options.selected(undefined);
      }
      changed();
    }),
    client.on('message', (message) => {
      add(message.roomId, [message]);
      if (message.roomId === selected) markSelectedRead();
      changed();
    }),
    client.on('epochChanged', ({ roomId }) => {
      const room = data(roomId);
      room.messages.clear();
      room.sorted = undefined;
      room.reachedStart = false;
      changed();
    }),
    client.on('typing', ({ roomId, userIds }) => {
      data(roomId).typing = userIds.filter((id) => id !== options.userId);
      changed();
    }),
    client.on('receipt', ({ roomId, userId, readSeq }) => {
      const marks = data(roomId).readMarks;
      marks.set(userId, Math.max(marks.get(userId) ?? 0, readSeq));
      changed();
    }),
    client.on('presence', (change) => {
      for (const roomId of change.roomIds) data(roomId).presence.set(change.userId, change.online);
      changed();
    }),
  ];

  function view(roomId: string): RoomView {
    const room = data(roomId);
    room.sorted ??= [...room.messages.values()].sort((a, b) => a.seq - b.seq);
    const { sorted, outgoing, typing, readMarks, presence, reachedStart, loadingOlder } = room;
    return { messages: sorted, outgoing, typing, readMarks, presence, reachedStart, loadingOlder };
  }

  return {
    state: () => ({ status, retryAtMs, rooms: client.rooms(), selected, room: view }),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    select(roomId) {
      selected = roomId;
      options.selected(roomId);
      markSelectedRead();
      changed();
    },
    send(text) {
      const roomId = selected;
      if (roomId === undefined || text.trim() === '') return;
      const handle = client.send(roomId, text);
      const outgoing: OutgoingMessage = { clientMsgId: handle.clientMsgId, text, state: 'pending' };
      const room = data(roomId);
      room.outgoing = [...room.outgoing, outgoing];
      handle.onChange((update) => {
        if (update.state === 'failed') Object.assign(outgoing, { state: 'failed', reason: update.reason });
        else if (update.state === 'acked') outgoing.state = 'acked';
        room.outgoing = [...room.outgoing];
        changed();
      });
      handle.catch(() => undefined); // shown as failed through onChange
      changed();
    },
    keystroke() {
      if (selected !== undefined) client.typing(selected).keystroke();
    },
    inputCleared() {
      if (selected !== undefined) client.typing(selected).inputCleared();
    },
    loadOlder() {
      const roomId = selected;
      if (roomId === undefined) return;
      const room = data(roomId);
      if (room.loadingOlder || room.reachedStart) return;
      room.loadingOlder = true;
      changed();
      client.loadOlder(roomId, OLDER_PAGE_SIZE).then(
        (page) => {
          add(roomId, page.messages);
          room.reachedStart = page.reachedStart;
          room.loadingOlder = false;
          changed();
        },
        () => {
          room.loadingOlder = false;
          changed();
        },
      );
    },
    seen: markSelectedRead,
    createRoom: (name, memberIds) => options.createRoom(name, memberIds),
    close() {
      for (const off of offs) off();
      client.close();
    },
  };
}

/**
 * Per message, the members who have seen it: each member once, at the newest message they read
 * that is not their own (nobody needs telling that bob saw what bob wrote).
 */
export function seenBy(
  messages: readonly ShownMessage[],
  readMarks: ReadonlyMap<string, number>,
  selfUserId: string,
): Map<number, string[]> {
  const at = new Map<number, string[]>();
  for (const [userId, readSeq] of readMarks) {
    if (userId === selfUserId) continue;
    let newest: ShownMessage | undefined;
    for (const message of messages) if (message.seq <= readSeq && message.senderId !== userId) newest = message;
    if (newest === undefined) continue;
    at.set(newest.seq, [...(at.get(newest.seq) ?? []), userId]);
  }
  return at;
}
