import { isPrintable } from "../../shared/schemas/printable.js";
import { createEmitter } from "../emitter.js";
import type { AgentSession, AgentSessionInput, RecordRef, SessionEvent, SessionTab, SessionTabInput } from "../protocol.js";
import type { ScreenPop } from "../../shared/schemas/screenPop.js";
import { fail } from "./widgetCallError.js";

/**
 * The agent's sessions: one per customer conversation the agent works on, several at once, one focused.
 * A session's tabs are the records (and searches, new-record forms) opened in it; one tab is focused.
 * The panel host owns the model (mountPanels: `host.sessions`): a screen pop opens or focuses the session
 * of its conversation and adds its record as a tab; widgets create, focus and close sessions and tabs
 * (widget protocol 1.2, capability "sessions"); the reference desktop draws the session bar from it.
 *
 * Rules (test/client/agent/sessions.test.ts):
 *   1. Ids are the model's (`s-1`, `t-1`…), never a widget's: a widget cannot collide with another's.
 *   2. At most `maxSessions` are open (default 10): one more is `out_of_range`, as CIF's canCreateSession says.
 *   3. The first session is focused; a created one is focused unless `focus: false`; closing the focused
 *      one focuses the most recently focused of the others (none when it was the last).
 *   4. Focusing a session clears its activity count (the agent has seen it).
 *   5. A conversation has one session: a second pop of the same conversation focuses it, and a record
 *      already open in it is focused rather than added again. A pop when `maxSessions` are open (none of
 *      its conversation) opens no session; the agent closes one to make room.
 */
export interface SessionsOptions {
  maxSessions?: number;
  now?: () => Date;
}

export type SessionEvents = { [E in SessionEvent as E["type"]]: E };

export interface Sessions {
  readonly maxSessions: number;
  list(): AgentSession[];
  get(sessionId: string): AgentSession;
  focused(): AgentSession | null;
  canCreate(): boolean;
  create(input: AgentSessionInput, by: string): AgentSession;
  focus(sessionId: string): AgentSession;
  close(sessionId: string): void;
  addTab(sessionId: string, tab: SessionTabInput, focus?: boolean): SessionTab;
  focusTab(sessionId: string, tabId: string): SessionTab;
  notifyActivity(sessionId: string, count?: number): AgentSession;
  updateContext(sessionId: string, context: Record<string, string>): AgentSession;
  /**
   * A pop the page opened: the session of its conversation (created or focused), its target as a tab.
   * With `maxSessions` open and none of its conversation, null: the pop is open, without a session.
   */
  openPop(pop: ScreenPop): AgentSession | null;
  on: <K extends keyof SessionEvents>(type: K, handler: (event: SessionEvents[K]) => void) => () => void;
}

export function createSessions(options: SessionsOptions = {}): Sessions {
  const maxSessions = options.maxSessions ?? 10;
  const now = options.now ?? (() => new Date());
  const sessions = new Map<string, AgentSession>();
  /** Session ids, most recently focused last. */
  const focusOrder: string[] = [];
  const events = createEmitter<SessionEvents>("WebCTI sessions");
  const counts = { s: 0, t: 0 };
  const newId = (prefix: "s" | "t") => `${prefix}-${++counts[prefix]}`;
  const copy = (session: AgentSession): AgentSession => structuredClone(session);
  const find = (sessionId: string) => sessions.get(sessionId) ?? fail("not_found", `No open session ${String(sessionId)}.`);
  const focusedId = () => focusOrder.at(-1);

  const focusSession = (session: AgentSession) => {
    const previous = focusedId();
    session.activityCount = 0;
    const at = focusOrder.indexOf(session.sessionId);
    if (at >= 0) focusOrder.splice(at, 1);
    focusOrder.push(session.sessionId);
    events.emit("sessionFocused", { type: "sessionFocused", session: copy(session), ...(previous && previous !== session.sessionId ? { previousSessionId: previous } : {}) });
  };

  const api: Sessions = {
    maxSessions,
    list: () => [...sessions.values()].map(copy),
    get: (sessionId) => copy(find(sessionId)),
    focused: () => {
      const id = focusedId();
      return id ? copy(sessions.get(id)!) : null;
    },
    canCreate: () => sessions.size < maxSessions,
    create(input, by) {
      checkSessionInput(input);
      if (!api.canCreate()) fail("out_of_range", `At most ${maxSessions} sessions are open at once.`, { max: maxSessions });
      const session: AgentSession = {
        sessionId: newId("s"),
        title: input.title?.trim() || "Session",
        ...(input.channel ? { channel: input.channel } : {}),
        ...(input.conversationId ? { conversationId: input.conversationId } : {}),
        createdBy: by,
        createdAt: now().toISOString(),
        tabs: [],
        activityCount: 0,
        context: { ...(input.context ?? {}) },
      };
      sessions.set(session.sessionId, session);
      events.emit("sessionCreated", { type: "sessionCreated", session: copy(session) });
      if (input.focus !== false || !focusedId()) focusSession(session);
      return copy(session);
    },
    focus(sessionId) {
      const session = find(sessionId);
      if (focusedId() !== sessionId || session.activityCount) focusSession(session);
      return copy(session);
    },
    close(sessionId) {
      find(sessionId);
      const wasFocused = focusedId() === sessionId;
      sessions.delete(sessionId);
      focusOrder.splice(focusOrder.indexOf(sessionId), 1);
      events.emit("sessionClosed", { type: "sessionClosed", sessionId });
      const nextId = focusedId();
      if (wasFocused && nextId) focusSession(sessions.get(nextId)!);
    },
    ...tabAndActivityMethods({ sessions, events, find, newId, copy }, () => api),
    on: events.on,
  };
  return api;
}

interface Model {
  sessions: Map<string, AgentSession>;
  events: ReturnType<typeof createEmitter<SessionEvents>>;
  find(sessionId: string): AgentSession;
  newId(prefix: "s" | "t"): string;
  copy(session: AgentSession): AgentSession;
}

/** A session's tabs, activity count and context, and pops: what changes inside open sessions. */
function tabAndActivityMethods({ sessions, events, find, newId, copy }: Model, self: () => Sessions) {
  const methods: Pick<Sessions, "addTab" | "focusTab" | "notifyActivity" | "updateContext" | "openPop"> = {
    addTab(sessionId, input, focus = true) {
      const session = find(sessionId);
      checkTabInput(input);
      const same = session.tabs.find((tab) => sameTarget(tab, input));
      if (same) return focus ? self().focusTab(sessionId, same.tabId) : { ...same };
      const tab: SessionTab = { tabId: newId("t"), title: input.title?.trim() || titleOf(input), ...targetOf(input) };
      session.tabs.push(tab);
      events.emit("tabCreated", { type: "tabCreated", sessionId, tab: { ...tab } });
      if (focus || !session.focusedTabId) self().focusTab(sessionId, tab.tabId);
      return { ...tab };
    },
    focusTab(sessionId, tabId) {
      const session = find(sessionId);
      const tab = session.tabs.find((t) => t.tabId === tabId) ?? fail("not_found", `Session ${sessionId} has no tab ${String(tabId)}.`);
      session.focusedTabId = tabId;
      events.emit("tabFocused", { type: "tabFocused", sessionId, tab: { ...tab } });
      return { ...tab };
    },
    notifyActivity(sessionId, count) {
      const session = find(sessionId);
      if (count !== undefined && (!Number.isInteger(count) || count < 0)) fail("invalid_argument", "count must be a whole number, 0 or more.");
      session.activityCount = count ?? session.activityCount + 1;
      events.emit("sessionUpdated", { type: "sessionUpdated", session: copy(session) });
      return copy(session);
    },
    updateContext(sessionId, context) {
      const session = find(sessionId);
      checkContext(context);
      Object.assign(session.context, context);
      events.emit("sessionUpdated", { type: "sessionUpdated", session: copy(session) });
      return copy(session);
    },
    openPop(pop) {
      const existing = [...sessions.values()].find((s) => s.conversationId === pop.conversationId);
      if (!existing && !self().canCreate()) return null;
      const session = existing ? self().focus(existing.sessionId) : self().create({ title: popTitle(pop), channel: pop.channel, conversationId: pop.conversationId }, pop.providerId);
      const tab = popTab(pop);
      if (tab) self().addTab(session.sessionId, tab);
      return self().get(session.sessionId);
    },
  };
  return methods;
}

function popTitle(pop: ScreenPop): string {
  const target = pop.target;
  if (target.kind === "record") return target.record.name || target.record.id;
  if (target.kind === "newRecord") return target.prefill.name ?? target.prefill.phone ?? target.prefill.email ?? "New customer";
  if (target.kind === "search") return target.query;
  // Looked up by the page's CRM: the customer as the partner sent it (the page opened what it found).
  return target.customer.name ?? target.customer.phone ?? target.customer.email ?? "Customer";
}

function popTab(pop: ScreenPop): SessionTabInput | undefined {
  const target = pop.target;
  if (target.kind === "record") return { record: { type: target.record.type, id: target.record.id, name: target.record.name } };
  if (target.kind === "search") return { query: target.query };
  if (target.kind === "newRecord") return { newRecord: target.recordType, title: `New ${target.recordType}` };
  return undefined;
}

function targetOf(input: SessionTabInput): Pick<SessionTab, "record" | "query" | "newRecord"> {
  if (input.record) return { record: { type: input.record.type, id: input.record.id, ...(input.record.name ? { name: input.record.name } : {}) } };
  if (input.query !== undefined) return { query: input.query };
  return { newRecord: input.newRecord! };
}

function titleOf(input: SessionTabInput): string {
  return input.record ? input.record.name || `${input.record.type} ${input.record.id}` : input.query !== undefined ? `Search: ${input.query}` : `New ${input.newRecord}`;
}

function sameTarget(tab: SessionTab, input: SessionTabInput): boolean {
  if (input.record) return tab.record?.type === input.record.type && tab.record.id === input.record.id;
  if (input.query !== undefined) return tab.query === input.query;
  return false;
}

/** Text of at most `max` characters that follows the API's printable-text rule (shown to the agent). */
const text = (value: unknown, max: number, multiline = false) => typeof value === "string" && value.length <= max && isPrintable(value, multiline);

function checkSessionInput(input: AgentSessionInput) {
  if (typeof input !== "object" || input === null) fail("invalid_argument", "Give the session as an object.");
  if (input.title !== undefined && !text(input.title, 100)) fail("invalid_argument", "title must be printable text of at most 100 characters.");
  if (input.channel !== undefined && !text(input.channel, 20)) fail("invalid_argument", "channel must be a channel name.");
  if (input.conversationId !== undefined && !text(input.conversationId, 200)) fail("invalid_argument", "conversationId must be text.");
  if (input.context !== undefined) checkContext(input.context);
}

function checkTabInput(input: SessionTabInput) {
  if (typeof input !== "object" || input === null) fail("invalid_argument", "Give the tab as an object.");
  const record = input.record as RecordRef | undefined;
  const given = [record !== undefined, input.query !== undefined, input.newRecord !== undefined].filter(Boolean).length;
  if (given !== 1) fail("invalid_argument", "A tab is one of { record }, { query } or { newRecord }.");
  if (record !== undefined && (typeof record !== "object" || !text(record.type, 100) || !record.type || !text(record.id, 200) || !record.id)) {
    fail("invalid_argument", "record must be { type, id }.");
  }
  if (input.query !== undefined && (!text(input.query, 200) || !input.query.trim())) fail("invalid_argument", "query must be 1 to 200 characters of printable text.");
  if (input.newRecord !== undefined && input.newRecord !== "contact" && input.newRecord !== "account") fail("invalid_argument", "newRecord must be 'contact' or 'account'.");
  if (input.title !== undefined && !text(input.title, 100)) fail("invalid_argument", "title must be printable text of at most 100 characters.");
}

function checkContext(context: unknown) {
  if (typeof context !== "object" || context === null || Array.isArray(context)) fail("invalid_argument", "context must be an object of names to text.");
  const entries = Object.entries(context);
  if (entries.length > 50) fail("invalid_argument", "context holds at most 50 names.");
  const bad = entries.filter(([name, value]) => !text(value, 1000, true) || !text(name, 100)).map(([name]) => name);
  if (bad.length) fail("invalid_argument", `These context names or values are not printable text (names up to 100 characters, values up to 1000): ${bad.join(", ")}.`, { names: bad });
}
