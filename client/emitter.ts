/**
 * The small typed event emitter of the browser client and the widget SDK (both bundle it; it must stay
 * small for widget.js's budget). A handler that throws is logged and does not stop the others: one
 * page's bug must not silence another listener.
 */
export interface Emitter<Events> {
  /** Returns the function that unsubscribes. */
  on<K extends keyof Events>(type: K, handler: (value: Events[K]) => void): () => void;
  emit<K extends keyof Events>(type: K, value: Events[K]): void;
}

export function createEmitter<Events>(name: string): Emitter<Events> {
  const handlers = new Map<keyof Events, Set<(value: never) => void>>();
  return {
    on(type, handler) {
      let set = handlers.get(type);
      if (!set) handlers.set(type, (set = new Set()));
      set.add(handler);
      return () => void set.delete(handler);
    },
    emit(type, value) {
      for (const handler of handlers.get(type) ?? []) {
        try {
          (handler as (v: typeof value) => void)(value);
        } catch (error) {
          console.error(`${name}: an event handler threw`, error);
        }
      }
    },
  };
}
