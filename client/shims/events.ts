/**
 * The part of Node's EventEmitter that @azure/web-pubsub-client uses (on, removeListener, emit),
 * instead of the `events` polyfill. Aliased for `events` in the browser bundle only.
 */
type Listener = (...args: unknown[]) => void;

export default class EventEmitter {
  private readonly listeners = new Map<string | symbol, Listener[]>();

  on(event: string | symbol, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  addListener(event: string | symbol, listener: Listener): this {
    return this.on(event, listener);
  }

  removeListener(event: string | symbol, listener: Listener): this {
    const list = this.listeners.get(event);
    if (!list) return this;
    const index = list.lastIndexOf(listener);
    if (index >= 0) this.listeners.set(event, [...list.slice(0, index), ...list.slice(index + 1)]);
    return this;
  }

  off(event: string | symbol, listener: Listener): this {
    return this.removeListener(event, listener);
  }

  emit(event: string | symbol, ...args: unknown[]): boolean {
    const list = this.listeners.get(event);
    if (!list || list.length === 0) return false;
    for (const listener of list) listener.apply(this, args);
    return true;
  }
}
