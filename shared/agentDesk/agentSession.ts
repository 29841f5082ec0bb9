import type { Services } from "../services.js";
import { WebCtiError } from "../errors.js";
import type { AgentIdentity } from "../auth/agentPrincipal.js";
import { getAgent, getTenant } from "../tenancy/tenancyStore.js";
import { getAgentClientAccess } from "../realtime/agentPush.js";
import type { Agent, AgentMe, NegotiateResponse } from "../schemas/agent.js";
import { readCrmSettings } from "../tenancy/crmSettingsStore.js";

/** The signed-in agent as the desktop shows them. Fails if the agent or tenant was removed since sign-in. */
export async function describeAgent(services: Pick<Services, "tables" | "caches">, identity: AgentIdentity): Promise<Agent> {
  await getTenant(services, identity.tenantId);
  return getAgent(services, identity.tenantId, identity.agentId);
}

/** The signed-in agent, and where the tenant's records live (`crm.records`): GET /v1/agent/me. */
export async function describeAgentMe(services: Pick<Services, "tables" | "caches">, identity: AgentIdentity): Promise<AgentMe> {
  const [agent, settings] = await Promise.all([describeAgent(services, identity), readCrmSettings(services, identity.tenantId)]);
  return { ...agent, crm: { records: settings.records } };
}

/** The Web PubSub client URL for the signed-in agent's browser (see getAgentClientAccess for its rights). */
export async function negotiateAgentConnection(
  services: Pick<Services, "tables" | "caches" | "push" | "now" | "config">,
  identity: AgentIdentity,
): Promise<NegotiateResponse> {
  const agent = await describeAgent(services, identity);
  return getAgentClientAccess(
    services.push,
    identity.tenantId,
    identity.agentId,
    services.config.WEBCTI_CLIENT_TOKEN_MINUTES,
    services.now(),
    agent.supervisor,
  );
}

/** The signed-in agent, who must be a supervisor (KPIs, facts export, KPI settings). */
export async function requireSupervisor(services: Pick<Services, "tables" | "caches">, identity: AgentIdentity): Promise<Agent> {
  const agent = await describeAgent(services, identity);
  if (!agent.supervisor) throw new WebCtiError("forbidden", "Only a supervisor of the tenant may do this.");
  return agent;
}
