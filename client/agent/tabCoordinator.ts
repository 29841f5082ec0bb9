import { memoryStorage, webStorage, type KeyValueStorage } from "./popLedger.js";

/**
 * How long a tab that was not used last waits for the tab that was to open a pop, before it opens the
 * pop itself (the last-used tab is frozen, hung, or its client stopped). A closed or reloading tab is
 * noticed at once (its "bye", or its Web Lock released), so this wait is only for a tab that is there
 * but does not answer.
 */
export const defaultTakeoverMs = 2000;

/** Without Web Locks: pop ids (and event keys) claimed by one of the agent's tabs, newest last (bounded). */
const maxClaims = 500;

/** How long a tab holds a pop's claim: until the pop expires and a minute more, within these bounds. */
const claimHoldMs = { min: 60_000, max: 15 * 60_000 };

/** The part of the Web Locks API (navigator.locks) the tabs use. */
export interface TabLocks {
  request(name: string, options: { ifAvailable?: boolean }, callback: (lock: unknown) => unknown): Promise<unknown>;
  query(): Promise<{ held?: Array<{ name?: string }> }>;
}

/** The part of BroadcastChannel the tabs use. */
export interface TabChannel {
  postMessage(message: unknown): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  close(): void;
}

/** What one tab tells the agent's other tabs: it joined (hello), it is there (here), it was used, it left (bye). */
interface TabMessage {
  v: 1;
  type: "hello" | "here" | "used" | "bye";
  tab: string;
  usedAt: number;
}

export interface TabCoordinatorOptions {
  /** Names this agent's tabs (tenant and agent): the channel, the locks and the claims are under it. */
  key: string;
  /** Undefined: no other tab can be seen, this one opens every pop. */
  channel?: TabChannel;
  /** Undefined: a closed tab is known by its "bye" only, and claims are kept in `storage` (best effort). */
  locks?: TabLocks;
  /** Where claims are kept without Web Locks, shared by the agent's tabs (localStorage). */
  storage: KeyValueStorage;
  takeoverMs?: number;
  now?: () => number;
  /** When this tab was last used, as it joins (default: now). */
  usedAt?: number;
}

export interface PopClaim {
  /** This tab opens (or reports) the pop: no tab claimed it before. */
  won: boolean;
  /** A tab already showed another pop for the same partner event. */
  eventShown: boolean;
}

export interface TabCoordinator {
  readonly tabId: string;
  readonly takeoverMs: number;
  /** Whether this is the agent's tab that was used last, of the tabs still there. */
  isElected(): Promise<boolean>;
  /** Claims a pop for this tab, once across the agent's tabs; `expiresAt` (ms) bounds how long the claim is kept. */
  claim(popId: string, eventKey: string, expiresAt: number): Promise<PopClaim>;
  /** This tab was used (focus, a click, a key): pops open here from now on. */
  markUsed(): void;
  /** Called when the tabs' view of who was used last may have changed. */
  onChange(listener: () => void): () => void;
  /** Leaves: the other tabs stop counting this one. */
  close(): void;
}

/** The tab pops open in: the one used last; ties (no tab used yet) go to the smallest id. */
export function electTab(usedAt: ReadonlyMap<string, number>): string | undefined {
  let elected: [string, number] | undefined;
  for (const [tab, at] of usedAt) {
    if (!elected || at > elected[1] || (at === elected[1] && tab < elected[0])) elected = [tab, at];
  }
  return elected?.[0];
}

/**
 * Several tabs of one agent, on one origin, opening each pop once. Each tab keeps its own connection
 * (so each gets every pop, and no tab depends on another to stay connected); the tabs tell each other
 * over a BroadcastChannel when one was used, and a pop opens in the one used last. A tab holds a Web Lock
 * for its lifetime, so a tab that crashed or closed without a word is not counted. Any tab that opens a
 * pop claims it first, by taking a Web Lock named after it (kept until the pop has long expired):
 * whatever the timing, one tab opens it and acknowledges it. The others wait `takeoverMs` and then take
 * it if it is still unclaimed. Without Web Locks (a page not in a secure context), claims are kept in
 * localStorage, which tabs do not see change at once: best effort, the election doing most of the work.
 */
export function createTabCoordinator(options: TabCoordinatorOptions): TabCoordinator {
  const { key, channel, locks, storage } = options;
  const now = options.now ?? Date.now;
  const tabId = `${now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  const usedAt = new Map<string, number>([[tabId, options.usedAt ?? now()]]);
  const listeners = new Set<() => void>();
  const lockName = (tab: string) => `${key}.tab.${tab}`;
  let release: (() => void) | undefined;
  let closed = false;

  const post = (type: TabMessage["type"]) => {
    if (!closed) channel?.postMessage({ v: 1, type, tab: tabId, usedAt: usedAt.get(tabId) ?? 0 } satisfies TabMessage);
  };
  const changed = () => {
    for (const listener of listeners) listener();
  };

  channel?.addEventListener("message", ({ data }) => {
    const message = data as Partial<TabMessage> | undefined;
    if (message?.v !== 1 || typeof message.tab !== "string" || message.tab === tabId || typeof message.usedAt !== "number") return;
    if (message.type === "bye") usedAt.delete(message.tab);
    else usedAt.set(message.tab, message.usedAt);
    if (message.type === "hello") post("here");
    changed();
  });

  // Hello once the lock is held, so the others' lock query sees this tab as soon as they hear of it.
  if (locks && channel) {
    const held = () => {
      post("hello");
      return new Promise<void>((r) => (release = r));
    };
    void locks.request(lockName(tabId), {}, held).catch(() => undefined);
  } else post("hello");

  /** Drops the tabs whose lock is gone (closed or crashed without a "bye"). */
  async function forgetGoneTabs() {
    if (!locks || usedAt.size < 2) return;
    const held = new Set((await locks.query()).held?.map((lock) => lock.name) ?? []);
    for (const tab of usedAt.keys()) if (tab !== tabId && !held.has(lockName(tab))) usedAt.delete(tab);
  }


  return {
    tabId,
    takeoverMs: options.takeoverMs ?? defaultTakeoverMs,
    async isElected() {
      await forgetGoneTabs();
      return electTab(usedAt) === tabId;
    },
    async claim(popId, eventKey, expiresAt) {
      // Alone, the ledger's de-duplication is all there is to do.
      if (!channel) return { won: true, eventShown: false };
      if (!locks) return claimInStorage(storage, `${key}.pops`, popId, eventKey);
      // A claim is a lock this tab keeps (locks are seen at once by every tab; localStorage is not).
      const holdMs = Math.min(claimHoldMs.max, Math.max(claimHoldMs.min, expiresAt - now() + claimHoldMs.min));
      if (!(await holdLock(locks, `${key}.pop.${popId}`, holdMs))) return { won: false, eventShown: false };
      return { won: true, eventShown: !(await holdLock(locks, `${key}.${eventKey}`, holdMs)) };
    },
    markUsed() {
      // Others need to hear only when this tab was not already the last used (a click in the tab the
      // agent works in says nothing new).
      const wasElected = electTab(usedAt) === tabId;
      usedAt.set(tabId, Math.max(now(), (usedAt.get(tabId) ?? 0) + 1));
      if (!wasElected) post("used");
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      post("bye");
      closed = true;
      release?.();
      channel?.close();
    },
  };
}

/** Without Web Locks: a claim kept in localStorage, which tabs do not see change at once (best effort). */
function claimInStorage(storage: KeyValueStorage, claimsKey: string, popId: string, eventKey: string): PopClaim {
  const claims = readClaims(storage, claimsKey);
  if (claims.includes(popId)) return { won: false, eventShown: false };
  const eventShown = claims.includes(eventKey);
  claims.push(popId);
  if (!eventShown) claims.push(eventKey);
  if (claims.length > maxClaims) claims.splice(0, claims.length - maxClaims);
  try {
    storage.setItem(claimsKey, JSON.stringify(claims));
  } catch {
    /* storage full or denied: the tabs' election still keeps pops to one tab */
  }
  return { won: true, eventShown };
}

/** Takes a lock if no one holds it, and keeps it `holdMs` (or until the tab goes). */
function holdLock(locks: TabLocks, name: string, holdMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const hold = (lock: unknown) => {
      resolve(lock !== null);
      return lock === null ? undefined : new Promise((r) => setTimeout(r, holdMs));
    };
    locks.request(name, { ifAvailable: true }, hold).catch(() => resolve(false));
  });
}

function readClaims(storage: KeyValueStorage, key: string): string[] {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(key) ?? "[]");
    return Array.isArray(parsed) ? parsed.filter((id): id is string => typeof id === "string") : [];
  } catch {
    return [];
  }
}

/** The page's globals joinTabs reads (through globalThis: the client also runs outside a browser). */
interface PageGlobals {
  document?: { visibilityState: string; hasFocus(): boolean; addEventListener(type: string, listener: () => void): void };
  addEventListener?(type: string, listener: () => void, capture?: boolean): void;
  BroadcastChannel?: new (name: string) => TabChannel;
  navigator?: { locks?: TabLocks };
}

const joined = new Map<string, TabCoordinator>();

/**
 * This page's place among the agent's tabs (one per agent key and page, shared by every client the page
 * starts). Outside a browser, or without BroadcastChannel, the page is alone: it opens every pop.
 */
export function joinTabs(key: string): TabCoordinator {
  const existing = joined.get(key);
  if (existing) return existing;
  const page = globalThis as unknown as PageGlobals;
  const { document: doc, BroadcastChannel: Channel } = page;
  if (!doc || !Channel || !page.addEventListener) {
    const alone = createTabCoordinator({ key, storage: memoryStorage() });
    joined.set(key, alone);
    return alone;
  }
  const seen = () => doc.visibilityState === "visible" && doc.hasFocus();
  const locks = page.navigator?.locks;
  const tabs = createTabCoordinator({
    key,
    channel: new Channel(`${key}.tabs`),
    ...(locks ? { locks } : {}),
    storage: webStorage("localStorage"),
    // A tab opened in the background has not been used yet.
    usedAt: seen() ? Date.now() : 0,
  });
  joined.set(key, tabs);
  const used = () => tabs.markUsed();
  page.addEventListener("focus", used);
  page.addEventListener("pointerdown", used, true);
  page.addEventListener("keydown", used, true);
  doc.addEventListener("visibilitychange", () => seen() && used());
  page.addEventListener("pagehide", () => {
    tabs.close();
    joined.delete(key);
  });
  return tabs;
}
