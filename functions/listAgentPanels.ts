import { defineHttp } from "./http/defineHttp.js";
import { AgentPanelList, type AgentPanel } from "../shared/schemas/panel.js";
import { describeAgent } from "../shared/agentDesk/agentSession.js";
import { listProviders } from "../shared/tenancy/tenancyStore.js";

export const listAgentPanels = defineHttp({
  name: "listAgentPanels",
  method: "GET",
  route: "v1/agent/panels",
  auth: "agent",
  summary: "The partner widgets the signed-in agent's desktop shows as panels: the tenant's providers that have one.",
  tags: ["Agent"],
  success: { status: 200, description: "By `order`, then `providerId`.", schema: AgentPanelList },
  errors: ["unauthenticated", "forbidden"],
  handler: async ({ caller }, services) => {
    // Same check as v1/agent/me: an agent or tenant removed since sign-in gets 403, not the tenant's config.
    await describeAgent(services, caller);
    const panels: AgentPanel[] = [];
    for (const { providerId, label, panel, screenPopPolicy } of await listProviders(services, caller.tenantId)) {
      if (panel) panels.push({ providerId, label, ...panel, screenPopPolicy });
    }
    panels.sort((a, b) => a.order - b.order || (a.providerId < b.providerId ? -1 : a.providerId > b.providerId ? 1 : 0));
    return { panels };
  },
});
