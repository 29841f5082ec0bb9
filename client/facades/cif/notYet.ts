import { unsupported } from "./cifError.js";

/**
 * The CIF functions WebCTI does not offer, each rejecting with CIF's error shape and the reason
 * (docs/widget-protocols.md, "Microsoft CIF", has the same list). WebCTI's sessions (widget protocol 1.2,
 * sessionCalls.ts) have no titles to set, no tab list or tab closing for widgets and no KPI breaches yet.
 * This file shrinks as WebCTI gains them.
 */
const sessionsNotYet = "WebCTI's sessions do not offer this yet";

const notYet: Record<string, string> = {
  getAllSessions: sessionsNotYet,
  setSessionTitle: sessionsNotYet,
  getTabs: sessionsNotYet,
  refreshTab: sessionsNotYet,
  setTabTitle: sessionsNotYet,
  closeTab: sessionsNotYet,
  notifyKpiBreach: sessionsNotYet,
  updateConversation: "there is no Omnichannel conversation (msdyn_ocliveworkitem) record; a partner sends the conversation's events to WebCTI's API",
  getEntityMetadata: "WebCTI has no Dataverse metadata; its records are contacts and accounts with fixed attributes",
  logAnalyticsEvent:
    "WebCTI takes these events from the partner's backend, POST /api/v1/analytics/events with the partner key (same shape, docs/kpis.md); a widget in the agent's browser holds no partner key",
};

export function notYetCalls(): Record<string, (...args: unknown[]) => Promise<never>> {
  return Object.fromEntries(Object.entries(notYet).map(([name, why]) => [name, () => unsupported(name, why)]));
}
