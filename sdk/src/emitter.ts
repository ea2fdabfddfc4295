/**
 * The client's events: typed, with `on()` returning its own unsubscribe. A listener that throws
 * is reported and skipped; it must not break delivery to the others or the SDK's own state.
 */
export interface Emitter<Events extends object> {
  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): () => void;
  emit<K extends keyof Events>(event: K, payload: Events[K]): void;
}

export function createEmitter<Events extends object>(listenerFailed: (event: keyof Events, error: unknown) => void): Emitter<Events> {
  const listeners = new Map<keyof Events, Set<(payload: never) => void>>();
  return {
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener);
      return () => void set.delete(listener);
    },
    emit(event, payload) {
      for (const listener of [...(listeners.get(event) ?? [])]) {
        try {
          (listener as (p: typeof payload) => void)(payload);
        } catch (error) {
          listenerFailed(event, error);
        }
      }
    },
  };
}
