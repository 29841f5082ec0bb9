/**
 * The agent's sessions in the widget protocol (1.2, capability "sessions"): what the host methods of
 * client/protocol.ts take and answer, and the events the host sends. Part of that contract, in a file of
 * its own for size; protocol.ts re-exports every type.
 */
import type { RecordRef } from "./protocol.js";

/**
 * One customer conversation the agent works on (1.2, capability "sessions"). Its tabs are the records,
 * searches and new-record forms opened in it; `activityCount` is the unread badge a widget sets
 * (notifySessionActivity), cleared when the agent focuses the session; `context` is a widget's key/value
 * pairs about the conversation.
 */
export interface AgentSession {
  sessionId: string;
  title: string;
  channel?: string;
  conversationId?: string;
  /** The provider whose widget or pop created it. */
  createdBy: string;
  createdAt: string;
  tabs: SessionTab[];
  focusedTabId?: string;
  activityCount: number;
  context: Record<string, string>;
}

/** What a widget gives to create a session; it is focused unless `focus: false`. */
export interface AgentSessionInput {
  title?: string;
  channel?: string;
  conversationId?: string;
  context?: Record<string, string>;
  focus?: boolean;
}

/** A tab: exactly one of a record, a search, a new-record form. */
export interface SessionTab {
  tabId: string;
  title: string;
  record?: RecordRef;
  query?: string;
  newRecord?: "contact" | "account";
}

export type SessionTabInput = Omit<SessionTab, "tabId" | "title"> & { title?: string };

export interface SessionList {
  sessions: AgentSession[];
  focusedSessionId: string | null;
  /** How many sessions may be open at once. */
  maxSessions: number;
}

export type SessionEvent =
  | { type: "sessionCreated"; session: AgentSession }
  | { type: "sessionFocused"; session: AgentSession; previousSessionId?: string }
  | { type: "sessionClosed"; sessionId: string }
  | { type: "sessionUpdated"; session: AgentSession }
  | { type: "tabCreated"; sessionId: string; tab: SessionTab }
  | { type: "tabFocused"; sessionId: string; tab: SessionTab };
