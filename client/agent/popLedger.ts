import { popIdPattern } from "../../shared/schemas/patterns.js";

/** The part of the Web Storage API the ledger uses (sessionStorage in a page; a Map-backed one elsewhere). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

interface LedgerState {
  /** Pop ids (and event keys) already handled, newest last (bounded). */
  seen: string[];
  /** Handled pops whose acknowledgement has not reached the server yet. */
  unacked: string[];
  /** Pops this tab claimed whose adapter call failed: opened again at the next connection's catch-up. */
  failed: string[];
}

const maxSeen = 500;

/**
 * Remembers which pops this tab has shown, so a pop is opened once whether it arrives live, replayed
 * by the reliable protocol after a drop, or through catch-up after a reload. Kept in sessionStorage:
 * it survives a reload of the tab and is private to it.
 */
export class PopLedger {
  private state: LedgerState;

  constructor(
    private readonly storage: KeyValueStorage,
    /** Names the agent (`webcti.agent.<tenantId>|<agentId>`): its tabs coordinate under it too. */
    readonly key: string,
  ) {
    this.state = this.load();
  }

  get unacked(): readonly string[] {
    return this.state.unacked;
  }

  get failed(): readonly string[] {
    return this.state.failed;
  }

  has(popId: string): boolean {
    return this.state.seen.includes(popId);
  }

  /** Records a pop as handled before the adapter runs: a reload in the middle must not open it again. */
  markHandled(popId: string, needsAck: boolean, eventKey?: string): void {
    for (const id of eventKey ? [popId, eventKey] : [popId]) if (!this.state.seen.includes(id)) this.state.seen.push(id);
    if (this.state.seen.length > maxSeen) this.state.seen.splice(0, this.state.seen.length - maxSeen);
    if (needsAck && !this.state.unacked.includes(popId)) this.state.unacked.push(popId);
    this.save();
  }

  markAcknowledged(popId: string): void {
    this.state.unacked = this.state.unacked.filter((id) => id !== popId);
    this.save();
  }

  /** The adapter failed to open a handled pop: not acknowledged, tried again on the next connection. */
  markFailed(popId: string): void {
    this.state.unacked = this.state.unacked.filter((id) => id !== popId);
    if (!this.state.failed.includes(popId)) this.state.failed.push(popId);
    if (this.state.failed.length > maxSeen) this.state.failed.splice(0, this.state.failed.length - maxSeen);
    this.save();
  }

  /** A failed pop opened on a retry, or no longer pending (expired, or delivered elsewhere). */
  clearFailed(popId: string): void {
    this.state.failed = this.state.failed.filter((id) => id !== popId);
    this.save();
  }

  private load(): LedgerState {
    try {
      const raw = this.storage.getItem(this.key);
      const parsed = raw ? (JSON.parse(raw) as Partial<LedgerState>) : {};
      return {
        seen: Array.isArray(parsed.seen) ? parsed.seen.filter((s) => typeof s === "string") : [],
        unacked: Array.isArray(parsed.unacked) ? parsed.unacked.filter((s) => typeof s === "string") : [],
        failed: Array.isArray(parsed.failed) ? parsed.failed.filter((s) => typeof s === "string" && popIdPattern.test(s)) : [],
      };
    } catch {
      return { seen: [], unacked: [], failed: [] };
    }
  }

  private save(): void {
    try {
      this.storage.setItem(this.key, JSON.stringify(this.state));
    } catch {
      /* storage full or denied: de-duplication still holds for this page's lifetime */
    }
  }
}

/**
 * The page's sessionStorage or localStorage, read through globalThis so the client also runs outside a
 * browser; memory when it is missing or blocked (privacy settings).
 */
export function webStorage(kind: "sessionStorage" | "localStorage"): KeyValueStorage {
  try {
    const storage = (globalThis as { sessionStorage?: KeyValueStorage; localStorage?: KeyValueStorage })[kind];
    if (storage) return storage;
  } catch {
    /* blocked: fall back to memory */
  }
  return memoryStorage();
}

export function memoryStorage(): KeyValueStorage {
  const map = new Map<string, string>();
  return { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
}
