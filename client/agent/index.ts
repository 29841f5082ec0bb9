/**
 * WebCTI browser client for the CRM's agent page.
 *
 *   import { createAgentClient } from "/webcti/agent.js";
 *   const client = createAgentClient({ adapter: { openRecord, openSearch, openNewRecord } });
 *   await client.start();
 */
export { createAgentClient } from "./agentClient.js";
export type {
  AgentAdapter,
  AgentClient,
  AgentClientEvents,
  AgentClientOptions,
  AgentClientState,
  PopOutcome,
} from "./agentClient.js";
export { AgentApiError, type PanelConfigView } from "./agentApi.js";
export { mountPanels, type MountPanelsOptions, type Panel, type PanelAdapter, type PanelHost, type PanelHostEvent } from "./panels.js";
export type { ClickToActPayload, PageContext, PanelMode, PanelState, RecordRef } from "../protocol.js";
export { memoryStorage, type KeyValueStorage } from "./popLedger.js";
export type { ScreenPop, PopTarget } from "../../shared/schemas/screenPop.js";
export type { RecordMatch } from "../../shared/schemas/directory.js";
