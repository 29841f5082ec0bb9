import { WebCtiError } from "../errors.js";
import type { Services } from "../services.js";
import type { AgentIdentity } from "../auth/agentPrincipal.js";
import type { AgentConversationEvent, ConversationEvent, EventAccepted } from "../schemas/conversationEvent.js";
import { getNamedProvider } from "../tenancy/tenancyStore.js";
import { ingestConversationEvent } from "./ingestEvent.js";

/**
 * A conversation event reported by the signed-in agent's browser (a provider's widget without a server
 * integration), stored for that provider exactly as the partner route stores it: same event row and
 * idempotency by `eventId`, same pop (one per call, whichever side reports it first), same KPIs.
 *
 * Rules, checked before anything is stored:
 * - `providerId` must be one of the tenant's providers with a panel (a widget): else 400 `invalid_request`
 *   at `#/providerId`. A provider without a widget has a server to send its events.
 * - an event that names an agent (`agentId`) must name the signed-in agent: else 403 `forbidden` at
 *   `#/agentId` (an agent reports its own calls; the partner API reports anyone's). Events that name no
 *   agent (`initiated`, `ivr`, `queued`, …) are accepted.
 */
export async function ingestAgentConversationEvent(
  services: Pick<Services, "tables" | "caches" | "push" | "now" | "config">,
  agent: AgentIdentity,
  input: AgentConversationEvent,
): Promise<EventAccepted> {
  const { providerId, ...rest } = input;
  const event = rest as ConversationEvent; // the event without the route's own field, as the partner route takes it
  const provider = await getNamedProvider(services, agent.tenantId, providerId, "invalid_request");
  if (!provider.panel) {
    throw new WebCtiError("invalid_request", `Provider '${providerId}' has no widget panel; its server sends its events.`, {
      errors: [{ pointer: "#/providerId", detail: "not a provider with a panel" }],
    });
  }
  if (typeof event.agentId === "string" && event.agentId !== agent.agentId) {
    throw new WebCtiError("forbidden", `An agent reports its own calls: the event names agent '${event.agentId}'.`, {
      errors: [{ pointer: "#/agentId", detail: "must be the signed-in agent" }],
    });
  }
  return ingestConversationEvent(services, { tenantId: agent.tenantId, providerId }, event, "agent");
}
