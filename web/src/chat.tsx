import { useEffect, useMemo } from 'preact/hooks';
import { createChatClient } from '@mqtt-chat/sdk';
import { createChatStore } from './chat-store.js';
import { RoomList } from './room-list.js';
import { RoomPane } from './room-view.js';
import { displayName, loadOpenRoom, saveOpenRoom, type Session } from './session.js';
import { StatusBar } from './status-bar.js';
import { useStore } from './use-store.js';

/** A fresh client shows each room's newest this-many messages; older ones come as the user scrolls up. */
const INITIAL_HISTORY = 50;

/** REST, MQTT over WebSocket and this page share one origin (the platform serves /app, /v1 and /mqtt). */
const mqttUrl = (): string => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/mqtt`;

async function createRoom(token: string, name: string, members: string[]): Promise<void> {
  const response = await fetch('/v1/rooms', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, kind: 'group', members }),
  });
  if (response.status !== 201) {
    const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
    throw new Error(body.error?.message ?? `creating the room failed (${response.status})`);
  }
}

export function Chat({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const { client, store } = useMemo(() => {
    const chatClient = createChatClient({
      mqttUrl: mqttUrl(),
      apiUrl: location.origin,
      userId: session.userId,
      deviceId: session.deviceId,
      token: session.token,
      initialHistoryLimit: INITIAL_HISTORY,
      backoff: { baseMs: 1000, capMs: 15_000 },
    });
    const chatStore = createChatStore(chatClient, {
      userId: session.userId,
      initialRoomId: loadOpenRoom(),
      selected: saveOpenRoom,
      createRoom: (name, members) => createRoom(session.token, name, members),
      isVisible: () => document.visibilityState === 'visible',
    });
    chatClient.connect().catch(() => undefined); // the status bar shows how it goes
    return { client: chatClient, store: chatStore };
  }, [session]);
  useEffect(() => () => store.close(), [store]);
  useEffect(() => {
    // The browser knows when the network comes and goes: reconnect at once instead of waiting for a timeout or the backoff.
    const networkChanged = () => client.networkChanged();
    const visible = () => store.seen();
    window.addEventListener('online', networkChanged);
    window.addEventListener('offline', networkChanged);
    document.addEventListener('visibilitychange', visible);
    return () => {
      window.removeEventListener('online', networkChanged);
      window.removeEventListener('offline', networkChanged);
      document.removeEventListener('visibilitychange', visible);
    };
  }, [client, store]);
  const state = useStore(store);
  const refused = state.status.state === 'disconnected' && state.status.code === 'unauthorized';

  return (
    <div class="chat">
      <header>
        <h1>MQTT chat</h1>
        <StatusBar status={state.status} retryAtMs={state.retryAtMs} onRetry={() => client.networkChanged()} />
        <span class="me" data-testid="me">
          {displayName(session.userId)}
        </span>
        <button class="link" data-testid="sign-out" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      {refused && (
        <p class="problem" role="alert">
          The platform refused this token (it may have expired). <button onClick={onSignOut}>Sign in again</button>
        </p>
      )}
      <div class="panes">
        <RoomList state={state} store={store} selfUserId={session.userId} />
        {state.selected === undefined ? (
          <main class="room empty">{state.rooms.length === 0 ? 'No rooms yet.' : 'Pick a room on the left.'}</main>
        ) : (
          <RoomPane key={state.selected} state={state} store={store} roomId={state.selected} selfUserId={session.userId} />
        )}
      </div>
    </div>
  );
}
