import { useState } from 'preact/hooks';
import type { ChatState, ChatStore } from './chat-store.js';

/** The user's rooms: a presence dot (someone else is online), the name, the unread count; and a form for a new room. */
export function RoomList({ state, store, selfUserId }: { state: ChatState; store: ChatStore; selfUserId: string }) {
  return (
    <nav class="rooms">
      <ul>
        {state.rooms.map((room) => {
          const presence = state.room(room.id).presence;
          const someoneOnline = [...presence].some(([userId, online]) => online && userId !== selfUserId);
          return (
            <li
              key={room.id}
              data-testid="room"
              data-room-id={room.id}
              class={room.id === state.selected ? 'selected' : ''}
              onClick={() => store.select(room.id)}
            >
              <span class={`presence-dot${someoneOnline ? ' on' : ''}`} data-testid="room-presence" data-online={String(someoneOnline)} />
              <span class="name">{room.name === '' ? room.id : room.name}</span>
              {room.unread > 0 && (
                <span class="unread" data-testid="unread">
                  {room.unread}
                </span>
              )}
            </li>
          );
        })}
      </ul>
      <NewRoom store={store} />
    </nav>
  );
}

function NewRoom({ store }: { store: ChatStore }) {
  const [name, setName] = useState('');
  const [members, setMembers] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  const create = (event: Event) => {
    event.preventDefault();
    const ids = members
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id !== '');
    store.createRoom(name.trim(), ids).then(
      () => {
        setName('');
        setMembers('');
        setProblem(undefined);
      },
      (error: unknown) => setProblem((error as Error).message),
    );
  };
  return (
    <form class="new-room" onSubmit={create}>
      <input placeholder="new room name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      <input placeholder="member ids, comma-separated" value={members} onInput={(e) => setMembers(e.currentTarget.value)} />
      <button type="submit" disabled={name.trim() === ''}>
        Create room
      </button>
      {problem !== undefined && <p class="problem">{problem}</p>}
    </form>
  );
}
