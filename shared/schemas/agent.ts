import { z } from "zod";
import { displayText } from "./displayText.js";
import { AgentId, PartnerUserId, TenantId } from "./ids.js";
import { RecordSource } from "./crmSettings.js";
import { Presence } from "./presence.js";
import { pageFields } from "./cursor.js";

export const Agent = z
  .object({
    tenantId: TenantId,
    agentId: AgentId,
    displayName: displayText({ max: 200 }),
    supervisor: z
      .boolean()
      .default(false)
      .describe("A supervisor also sees the tenant's channel KPIs (the dashboard), exports facts and sets the KPI settings."),
  })
  .meta({ id: "Agent" });
export type Agent = z.infer<typeof Agent>;

/** GET /v1/agent/me: the agent, and where its tenant's records live (the browser client sends record operations there). */
export const AgentMe = Agent.extend({
  crm: z.object({ records: RecordSource }).describe("`host`: the CRM page's adapter; `directory` and `webhook`: WebCTI's API."),
}).meta({ id: "AgentMe" });
export type AgentMe = z.infer<typeof AgentMe>;

export const NegotiateResponse = z
  .object({
    url: z.string().describe("Web PubSub client URL with its access token."),
    userId: z.string(),
    groups: z.array(z.string()).describe("Groups the connection joins; the token allows no others."),
    expiresAt: z.iso.datetime(),
  })
  .meta({ id: "NegotiateResponse" });
export type NegotiateResponse = z.infer<typeof NegotiateResponse>;

/** One of the tenant's agents as a partner lists them (`GET /v1/agents`): whom its events may name. */
export const AgentSummary = z
  .object({
    agentId: AgentId.describe("What the partner's events, presence and pops name the agent by."),
    displayName: z.string(),
    supervisor: z.boolean(),
    presence: Presence.describe("The agent's presence now (`offline`, without `changedAt`, if it was never set)."),
    partnerUserId: PartnerUserId.optional().describe("The calling provider's own id of this agent, when it set one (`PUT /v1/agents/{agentId}/partner-user`)."),
  })
  .meta({ id: "AgentSummary" });
export type AgentSummary = z.infer<typeof AgentSummary>;

export const AgentList = z
  .object({ agents: z.array(AgentSummary).describe("By agent id."), ...pageFields })
  .meta({ id: "AgentList" });
export type AgentList = z.infer<typeof AgentList>;

/** A provider's own id of an agent: its events may then name the agent by either id. */
export const PartnerUserLink = z
  .object({ agentId: AgentId, partnerUserId: PartnerUserId })
  .meta({ id: "PartnerUserLink", description: "The calling provider's id of the agent; each id of the provider names one agent." });
export type PartnerUserLink = z.infer<typeof PartnerUserLink>;

export const PartnerUserInput = z.strictObject({ partnerUserId: PartnerUserId }).meta({ id: "PartnerUserInput" });

export const DeletedPartnerUserLink = z
  .object({ agentId: AgentId, partnerUserId: PartnerUserId, deleted: z.literal(true) })
  .meta({ id: "DeletedPartnerUserLink" });
