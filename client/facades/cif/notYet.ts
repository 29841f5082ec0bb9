import { unsupported } from "./cifError.js";

/**
 * The CIF functions WebCTI does not offer, each rejecting with CIF's error shape and the reason
 * (docs/widget-protocols.md, "Microsoft CIF", has the same list). Sessions and tabs are not in WebCTI yet:
 * the agent desktop has one page, no session or tab model. This file shrinks as WebCTI gains them.
 */
const sessionsNotYet = "WebCTI's agent desktop has no sessions or tabs yet";

const notYet: Record<string, string> = {
  canCreateSession: sessionsNotYet,
  createSession: sessionsNotYet,
  getSession: sessionsNotYet,
  getFocusedSession: sessionsNotYet,
  getAllSessions: sessionsNotYet,
  requestFocusSession: sessionsNotYet,
  setSessionTitle: sessionsNotYet,
  createTab: sessionsNotYet,
  getTabs: sessionsNotYet,
  focusTab: sessionsNotYet,
  getFocusedTab: sessionsNotYet,
  refreshTab: sessionsNotYet,
  setTabTitle: sessionsNotYet,
  closeTab: sessionsNotYet,
  notifyNewActivity: sessionsNotYet,
  notifyKpiBreach: sessionsNotYet,
  updateContext: `${sessionsNotYet}, and no macros whose context it would set`,
  updateConversation: "there is no Omnichannel conversation (msdyn_ocliveworkitem) record; a partner sends the conversation's events to WebCTI's API",
  getEntityMetadata: "WebCTI has no Dataverse metadata; its records are contacts and accounts with fixed attributes",
  logAnalyticsEvent:
    "WebCTI takes these events from the partner's backend, POST /api/v1/analytics/events with the partner key (same shape, docs/kpis.md); a widget in the agent's browser holds no partner key",
};

export function notYetCalls(): Record<string, (...args: unknown[]) => Promise<never>> {
  return Object.fromEntries(Object.entries(notYet).map(([name, why]) => [name, () => unsupported(name, why)]));
}
