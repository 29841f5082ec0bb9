/**
 * A small per-process cache for configuration-like rows (partner keys, agents, providers) that are read
 * on every request but change rarely. Entries live `ttlMs`; a change made by another instance is seen
 * within that time. Only successful look-ups are cached, so a newly created row is usable at once.
 */
export class TtlCache<V> {
  readonly #entries = new Map<string, { value: V; expiresAt: number }>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;

  constructor(ttlMs: number, maxEntries = 10_000) {
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
  }

  async getOrLoad(key: string, load: () => Promise<V | undefined>, nowMs = Date.now()): Promise<V | undefined> {
    const hit = this.#entries.get(key);
    if (hit && hit.expiresAt > nowMs) return hit.value;
    const value = await load();
    if (value !== undefined && this.#ttlMs > 0) {
      if (this.#entries.size >= this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value as string);
      this.#entries.set(key, { value, expiresAt: nowMs + this.#ttlMs });
    } else {
      this.#entries.delete(key);
    }
    return value;
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }
}
