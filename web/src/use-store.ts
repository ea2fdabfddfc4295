import { useEffect, useState } from 'preact/hooks';
import type { ChatState, ChatStore } from './chat-store.js';

/** The store's state, re-rendering the component on every change. */
export function useStore(store: ChatStore): ChatState {
  const [, setVersion] = useState(0);
  useEffect(() => store.subscribe(() => setVersion((version) => version + 1)), [store]);
  return store.state();
}
