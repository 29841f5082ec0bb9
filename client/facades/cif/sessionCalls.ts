import type { AgentSession, SessionTabInput } from "../../widget/index.js";
import { cifError } from "./cifError.js";
import { expectType, jsonObject } from "./checkArgs.js";
import { hasCapability, type CifHost, type Run } from "./cifHost.js";

/**
 * CIF 2.0's session and tab calls on WebCTI's agent sessions (widget protocol 1.2, capability
 * "sessions"). CIF's session and tab templates are Dynamics configuration WebCTI does not have: the
 * template name is required (as CIF requires it) but only its `templateParameters` are read:
 *   createSession: `title` (else `customerName`) is the session's title, `channel` and `conversationId`
 *     its own; every other parameter of text, number or boolean becomes the session's context;
 *     `entityName` + `entityId` also open that record as the session's first tab.
 *   createTab: `entityName` + `entityId` open that record, `searchText` a search; in the focused session.
 * Ids are WebCTI's (`s-1`, `t-1`). Answers in CIF's shapes: ids as strings, getSession an object.
 */
export function sessionCalls(run: Run) {
  return {
    canCreateSession: () => run("canCreateSession", () => async (host) => {
      const { sessions, maxSessions } = await sessionsOf("canCreateSession")(host);
      return sessions.length < maxSessions;
    }),
    createSession: (input: unknown) =>
      run("createSession", () => {
        const given = jsonObject("createSession", "input", input);
        expectType("createSession", "templateName", given.templateName, "string");
        const { title, customerName, channel, conversationId, entityName, entityId, ...rest } = jsonObject("createSession", "templateParameters", given.templateParameters, true);
        const context = Object.fromEntries(Object.entries(rest).filter(([, v]) => ["string", "number", "boolean"].includes(typeof v)).map(([k, v]) => [k, String(v)]));
        const tab = recordTab("createSession", entityName, entityId);
        return async (host) => {
          await sessionsOf("createSession")(host);
          const session = await host.createSession({
            ...(text(title ?? customerName) ? { title: String(title ?? customerName) } : {}),
            ...(text(channel) ? { channel: String(channel) } : {}),
            ...(text(conversationId) ? { conversationId: String(conversationId) } : {}),
            context,
          });
          if (tab) await host.createTab(session.sessionId, tab);
          return session.sessionId;
        };
      }),
    getFocusedSession: () => run("getFocusedSession", () => (host) => focusedId("getFocusedSession", host)),
    getSession: (sessionId: unknown) =>
      run("getSession", () => {
        expectType("getSession", "sessionId", sessionId, "string");
        return async (host) => {
          const { sessions, focusedSessionId } = await sessionsOf("getSession")(host);
          const session = sessions.find((s) => s.sessionId === sessionId) ?? Promise.reject(cifError("getSession", `getSession: no session ${String(sessionId)}.`, "not_found"));
          return cifSession(await session, focusedSessionId);
        };
      }),
    requestFocusSession: (sessionId: unknown, messagesCount?: unknown) =>
      run("requestFocusSession", () => {
        expectType("requestFocusSession", "sessionId", sessionId, "string");
        expectType("requestFocusSession", "messagesCount", messagesCount, "number", true);
        return async (host) => {
          await sessionsOf("requestFocusSession")(host);
          // CIF shows an indicator on the session, it does not switch: the agent does.
          await host.notifySessionActivity(sessionId as string, (messagesCount as number | undefined) ?? undefined);
        };
      }),
    ...tabCalls(run),
  };
}

/** The host's sessions; a host without the capability (older than 1.2) rejects with not_supported. */
const sessionsOf = (apiName: string) => async (host: CifHost) => {
  if (!hasCapability(host, "sessions", "getSessions")) throw cifError(apiName, `${apiName}: this WebCTI host keeps no sessions (protocol 1.2).`, "not_supported");
  return host.getSessions();
};

const focusedId = async (apiName: string, host: CifHost) =>
  (await sessionsOf(apiName)(host)).focusedSessionId ?? Promise.reject(cifError(apiName, `${apiName}: no session is focused.`, "not_found"));

/** CIF 2.0's tab calls, the activity badge and the context, on the focused session unless told. */
function tabCalls(run: Run) {
  return {
    createTab: (input: unknown) =>
      run("createTab", () => {
        const given = jsonObject("createTab", "input", input);
        expectType("createTab", "templateName", given.templateName, "string");
        const params = jsonObject("createTab", "templateParameters", given.templateParameters, true);
        const tab: SessionTabInput =
          recordTab("createTab", params.entityName, params.entityId) ??
          (text(params.searchText) ? { query: String(params.searchText) } : fail("createTab", "templateParameters needs entityName and entityId, or searchText."));
        return async (host) => (await host.createTab(await focusedId("createTab", host), tab, given.isFocused !== false)).tabId;
      }),
    focusTab: (tabId: unknown) =>
      run("focusTab", () => {
        expectType("focusTab", "tabId", tabId, "string");
        return async (host) => {
          const { sessions } = await sessionsOf("focusTab")(host);
          const session = sessions.find((s) => s.tabs.some((t) => t.tabId === tabId)) ?? fail("focusTab", `focusTab: no tab ${String(tabId)}.`, "not_found");
          await host.focusTab(session.sessionId, tabId as string);
        };
      }),
    getFocusedTab: () =>
      run("getFocusedTab", () => async (host) => {
        const { sessions, focusedSessionId } = await sessionsOf("getFocusedTab")(host);
        return sessions.find((s) => s.sessionId === focusedSessionId)?.focusedTabId ?? fail("getFocusedTab", "getFocusedTab: no tab is focused.", "not_found");
      }),
    notifyNewActivity: (sessionId: unknown, count: unknown) =>
      run("notifyNewActivity", () => {
        expectType("notifyNewActivity", "sessionId", sessionId, "string");
        expectType("notifyNewActivity", "count", count, "number");
        if ((count as number) < 0) fail("notifyNewActivity", "notifyNewActivity: count must not be negative.");
        return async (host) => {
          await sessionsOf("notifyNewActivity")(host);
          await host.notifySessionActivity(sessionId as string, count as number);
        };
      }),
    updateContext: (input: unknown, sessionId?: unknown) =>
      run("updateContext", () => {
        const given = jsonObject("updateContext", "input", input);
        expectType("updateContext", "sessionId", sessionId, "string", true);
        const context = Object.fromEntries(Object.entries(given).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
        return async (host) => {
          const id = (sessionId as string | undefined) ?? (await focusedId("updateContext", host));
          return (await host.updateSessionContext(id, context)).context;
        };
      }),
  };
}

/** CIF's session object: its id, conversation, context and whether it is focused. */
function cifSession(session: AgentSession, focusedSessionId: string | null) {
  return {
    sessionId: session.sessionId,
    conversationId: session.conversationId ?? "",
    context: session.context,
    isFocused: session.sessionId === focusedSessionId,
  };
}

function text(value: unknown): boolean {
  return (typeof value === "string" && value.trim() !== "") || typeof value === "number";
}

function recordTab(apiName: string, entityName: unknown, entityId: unknown): SessionTabInput | undefined {
  if (entityName === undefined && entityId === undefined) return undefined;
  if (!text(entityName) || !text(entityId)) fail(apiName, `${apiName}: templateParameters.entityName and entityId go together, as text.`);
  return { record: { type: String(entityName), id: String(entityId) } };
}

function fail(apiName: string, message: string, code = "invalid_argument"): never {
  throw cifError(apiName, message, code);
}
