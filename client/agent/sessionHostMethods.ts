import type { HostMethods, SessionTab } from "../protocol.js";
import type { RecordMatch } from "../../shared/schemas/directory.js";
import type { AgentAdapter } from "./agentClient.js";
import type { Sessions } from "./sessions.js";
import { fail } from "./widgetCallError.js";

type Implementation = {
  [K in keyof HostMethods]: (request: Parameters<HostMethods[K]>[0]) => Awaited<ReturnType<HostMethods[K]>> | ReturnType<HostMethods[K]>;
};

export type SessionMethodName =
  | "getSessions"
  | "createSession"
  | "focusSession"
  | "closeSession"
  | "createTab"
  | "focusTab"
  | "notifySessionActivity"
  | "updateSessionContext";

/**
 * Protocol 1.2, capability "sessions": a widget's calls on the agent's sessions (sessions.ts checks the
 * arguments and keeps the rules). Focusing a tab, or a session (its focused tab), shows it in the page
 * through the adapter, as the agent's own switch does. Without a session model (a host that was given
 * none), every call is not_supported.
 */
export function sessionHostMethods(providerId: string, page: TabPage, sessions: Sessions | undefined): Pick<Implementation, SessionMethodName> {
  const model = () => sessions ?? fail("not_supported", "This host keeps no sessions.");
  const id = (value: unknown, name: string) => (typeof value === "string" && value ? value : fail("invalid_argument", `${name} is required.`));
  return {
    getSessions: () => {
      const all = model();
      return { sessions: all.list(), focusedSessionId: all.focused()?.sessionId ?? null, maxSessions: all.maxSessions };
    },
    createSession: ({ correlationId: _ignored, ...input }) => model().create(input, providerId),
    async focusSession(request) {
      const session = model().focus(id(request.sessionId, "sessionId"));
      const tab = session.tabs.find((t) => t.tabId === session.focusedTabId);
      if (tab) await showTab(page, tab);
      return session;
    },
    closeSession(request) {
      model().close(id(request.sessionId, "sessionId"));
      return { closed: true as const };
    },
    async createTab(request) {
      const tab = model().addTab(id(request.sessionId, "sessionId"), request.tab, request.focus !== false);
      if (request.focus !== false) await showTab(page, tab);
      return tab;
    },
    async focusTab(request) {
      const tab = model().focusTab(id(request.sessionId, "sessionId"), id(request.tabId, "tabId"));
      await showTab(page, tab);
      return tab;
    },
    notifySessionActivity: (request) => model().notifyActivity(id(request.sessionId, "sessionId"), request.count),
    updateSessionContext: (request) => model().updateContext(id(request.sessionId, "sessionId"), request.context),
  };
}

/** Where a tab is shown: the page's adapter, and the look-up a search tab runs again. */
export interface TabPage {
  adapter: AgentAdapter;
  search(query: string): Promise<RecordMatch[]>;
}

/** Opens a tab's record, search (looked up again: the matches may have changed) or new-record form in the page. */
export async function showTab({ adapter, search }: TabPage, tab: SessionTab): Promise<void> {
  if (tab.record) await adapter.openRecord({ type: tab.record.type, id: tab.record.id, name: tab.record.name ?? tab.record.id });
  else if (tab.query !== undefined) await adapter.openSearch({ query: tab.query, results: await search(tab.query) });
  else if (tab.newRecord) await adapter.openNewRecord({ recordType: tab.newRecord, prefill: {} });
}
