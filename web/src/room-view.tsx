import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { seenBy, type ChatState, type ChatStore, type OutgoingMessage, type ShownMessage } from './chat-store.js';
import { displayName } from './session.js';

/** Scrolled this close to the top, the next older page is asked for. */
const LOAD_OLDER_WITHIN_PX = 48;
/** Scrolled this close to the bottom, new messages keep the view at the bottom. */
const STICK_TO_BOTTOM_WITHIN_PX = 64;

const OUTGOING_LABEL: Record<OutgoingMessage['state'], string> = { pending: 'sending…', acked: 'sent', failed: 'not sent' };

/** One room: its members with presence, the messages (paging back on scroll), who is typing, who has seen what, and the composer. */
export function RoomPane({ state, store, roomId, selfUserId }: { state: ChatState; store: ChatStore; roomId: string; selfUserId: string }) {
  const summary = state.rooms.find((room) => room.id === roomId);
  const room = state.room(roomId);
  const others = (summary?.members ?? []).filter((id) => id !== selfUserId);
  const reachedStart = room.reachedStart || room.messages[0]?.seq === 1;

  return (
    <main class="room" data-testid="room-view" data-room-id={roomId}>
      <div class="room-header">
        <h2>{summary?.name ?? roomId}</h2>
        <ul class="members">
          {others.map((userId) => {
            const online = room.presence.get(userId) === true;
            return (
              <li key={userId} data-testid="member" data-user-id={userId} data-online={String(online)}>
                <span class={`presence-dot${online ? ' on' : ''}`} />
                {displayName(userId)}
              </li>
            );
          })}
        </ul>
      </div>
      <MessageList
        messages={room.messages}
        outgoing={room.outgoing}
        seen={seenBy(room.messages, room.readMarks, selfUserId)}
        selfUserId={selfUserId}
        reachedStart={reachedStart}
        loadingOlder={room.loadingOlder}
        loadOlder={() => store.loadOlder()}
      />
      <div class="typing" data-testid="typing-line">
        {room.typing.length > 0 && (
          <span data-testid="typing">
            {room.typing.map(displayName).join(', ')} {room.typing.length === 1 ? 'is' : 'are'} typing…
          </span>
        )}
      </div>
      <Composer store={store} />
    </main>
  );
}

interface MessageListProps {
  messages: ShownMessage[];
  outgoing: OutgoingMessage[];
  seen: Map<number, string[]>;
  selfUserId: string;
  reachedStart: boolean;
  loadingOlder: boolean;
  loadOlder: () => void;
}

function MessageList(props: MessageListProps) {
  const list = useRef<HTMLOListElement>(null);
  /** Where the view was before this render: its height and first seq (a page above), and whether it was at the bottom. */
  const before = useRef({ height: 0, firstSeq: 0, atBottom: true });
  const firstSeq = props.messages[0]?.seq ?? 0;

  useLayoutEffect(() => {
    const element = list.current;
    if (element === null) return;
    const previous = before.current;
    if (previous.firstSeq !== 0 && firstSeq < previous.firstSeq) {
      // An older page went in above: keep what the user was looking at in place.
      element.scrollTop += element.scrollHeight - previous.height;
    } else if (previous.atBottom) {
      element.scrollTop = element.scrollHeight;
    }
    before.current = { height: element.scrollHeight, firstSeq, atBottom: previous.atBottom };
  });

  const onScroll = () => {
    const element = list.current;
    if (element === null) return;
    before.current.atBottom = element.scrollHeight - element.scrollTop - element.clientHeight < STICK_TO_BOTTOM_WITHIN_PX;
    if (element.scrollTop < LOAD_OLDER_WITHIN_PX && !props.reachedStart) props.loadOlder();
  };

  return (
    <ol class="messages" ref={list} onScroll={onScroll} data-testid="messages">
      <li class="history-edge">
        {props.reachedStart ? (
          'The beginning of this room.'
        ) : (
          <button class="link" data-testid="load-older" disabled={props.loadingOlder} onClick={props.loadOlder}>
            {props.loadingOlder ? 'Loading…' : 'Load older messages'}
          </button>
        )}
      </li>
      {props.messages.map((message) => {
        const readers = props.seen.get(message.seq);
        return (
          <li key={message.seq} data-testid="message" data-seq={message.seq} class={message.senderId === props.selfUserId ? 'own' : ''}>
            <div class="meta">
              <span class="sender">{displayName(message.senderId)}</span>
              <time>{new Date(message.sentAtMs).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}</time>
            </div>
            <div class="text">{message.text}</div>
            {readers !== undefined && (
              <div class="seen" data-testid="seen-by">
                Seen by {readers.map(displayName).join(', ')}
              </div>
            )}
          </li>
        );
      })}
      {props.outgoing.map((outgoing) => (
        <li key={outgoing.clientMsgId} class="own outgoing" data-testid="outgoing" data-state={outgoing.state}>
          <div class="text">{outgoing.text}</div>
          <div class="meta" title={outgoing.reason}>
            {OUTGOING_LABEL[outgoing.state]}
          </div>
        </li>
      ))}
    </ol>
  );
}

function Composer({ store }: { store: ChatStore }) {
  const [text, setText] = useState('');
  const send = (event: Event) => {
    event.preventDefault();
    if (text.trim() === '') return;
    store.send(text);
    setText('');
  };
  return (
    <form class="composer" onSubmit={send}>
      <input
        data-testid="composer-input"
        placeholder="Write a message"
        value={text}
        onInput={(event) => {
          const value = event.currentTarget.value;
          setText(value);
          if (value === '') store.inputCleared();
          else store.keystroke();
        }}
      />
      <button data-testid="composer-send" type="submit" disabled={text.trim() === ''}>
        Send
      </button>
    </form>
  );
}
