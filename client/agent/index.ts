/**
 * WebCTI browser client for the CRM's agent page.
 *
 *   import { createAgentClient } from "/webcti/agent.js";
 *   const client = createAgentClient({ adapter: { openRecord, openSearch, openNewRecord } });
 *   await client.start();
 *
 * From a CRM page on its own origin: `createAgentClient({ apiBase: "https://webcti.example.com/api",
 * getToken, adapter })`, the adapter with the CRM's record operations when its records stay in the CRM.
 */
import type { MountPanelsOptions, PanelHost } from "./panels.js";

export { createAgentClient } from "./agentClient.js";
export type {
  AgentAdapter,
  AgentClient,
  AgentClientEvents,
  AgentClientOptions,
  AgentClientState,
  PopOutcome,
  WebPubSubRetryOptions,
} from "./agentClient.js";
export { AgentApiError, type PanelConfigView } from "./agentApi.js";
export type { GetToken } from "./agentToken.js";
export type { CrmActivity, CrmRecord, CrmRecordRef, CrmRecordsAdapter, CrmSearchQuery } from "./crmAdapter.js";
export type { AgentApiErrorCode } from "./widgetCodeForApiCode.js";
export type { ClickToActOutcome, MountPanelsOptions, Panel, PanelAdapter, PanelHost, PanelHostEvent } from "./panels.js";
export type { ClickToActPayload, PageContext, PanelMode, PanelState, RecordRef } from "../protocol.js";
export type { SessionEvents, Sessions } from "./sessions.js";
export type { AgentSession, AgentSessionInput, SessionEvent, SessionTab, SessionTabInput } from "../protocol.js";
export { memoryStorage, type KeyValueStorage } from "./popLedger.js";
export type { ScreenPop, PopTarget } from "../../shared/schemas/screenPop.js";
export type { RecordMatch } from "../../shared/schemas/directory.js";

/**
 * Mounts the partner widget panels and the click-to-act capture (see panels.ts). The panel host — penpal,
 * its styles, notifications and the click capture — is a chunk of its own, loaded by the first call, so a
 * page that only takes screen pops does not load it.
 */
export async function mountPanels(options: MountPanelsOptions): Promise<PanelHost> {
  const host = await import("./panels.js");
  return host.mountPanels(options);
}
