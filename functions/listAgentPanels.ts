import { defineHttp } from "./http/defineHttp.js";
import { AgentPanelList, type AgentPanel, type ClickToActWebhookProvider } from "../shared/schemas/panel.js";
import { describeAgent } from "../shared/agentDesk/agentSession.js";
import { listProviders } from "../shared/tenancy/tenancyStore.js";
import { listSubscribedEndpoints } from "../shared/webhooks/endpointStore.js";

export const listAgentPanels = defineHttp({
  name: "listAgentPanels",
  method: "GET",
  route: "v1/agent/panels",
  auth: "agent",
  summary:
    "The partner widgets the signed-in agent's desktop shows as panels: the tenant's providers that have one; and the providers " +
    "without a widget that take click-to-act by webhook.",
  tags: ["Agent"],
  success: { status: 200, description: "By `order`, then `providerId`.", schema: AgentPanelList },
  errors: ["unauthenticated", "forbidden"],
  handler: async ({ caller }, services) => {
    // Same check as v1/agent/me: an agent or tenant removed since sign-in gets 403, not the tenant's config.
    await describeAgent(services, caller);
    const [providers, endpoints] = await Promise.all([
      listProviders(services, caller.tenantId),
      listSubscribedEndpoints(services, caller.tenantId, "clickToAct.requested"),
    ]);
    const subscribed = new Set(endpoints.map((e) => e.providerId));
    const panels: AgentPanel[] = [];
    const clickToActWebhooks: ClickToActWebhookProvider[] = [];
    for (const { providerId, label, panel, screenPopPolicy } of providers) {
      if (panel) panels.push({ providerId, label, ...panel, screenPopPolicy });
      else if (subscribed.has(providerId)) clickToActWebhooks.push({ providerId, label });
    }
    const byId = (a: { providerId: string }, b: { providerId: string }) => (a.providerId < b.providerId ? -1 : a.providerId > b.providerId ? 1 : 0);
    panels.sort((a, b) => a.order - b.order || byId(a, b));
    clickToActWebhooks.sort(byId);
    return { panels, clickToActWebhooks };
  },
});
