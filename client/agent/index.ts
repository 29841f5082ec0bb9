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
export { AgentApiError } from "./agentApi.js";
export { memoryStorage, type KeyValueStorage } from "./popLedger.js";
export type { ScreenPop, PopTarget } from "../../shared/schemas/screenPop.js";
export type { RecordMatch } from "../../shared/schemas/directory.js";
