import { defineHttp } from "./http/defineHttp.js";
import { AgentPath, Presence, PresenceInput } from "../shared/schemas/presence.js";
import { updateAgentPresence } from "../shared/presence/updatePresence.js";

export const putPresence = defineHttp({
  name: "putPresence",
  method: "PUT",
  route: "v1/agents/{agentId}/presence",
  auth: "partner",
  summary: "Set an agent's presence (available, busy, away, offline); an update older than the stored one is ignored.",
  tags: ["Presence"],
  params: AgentPath,
  body: PresenceInput,
  success: { status: 200, description: "The stored presence: this update, or the newer one that made it stale.", schema: Presence },
  errors: ["invalid_request", "not_found", "conflict", "push_unavailable"],
  handler: ({ params, body, caller }, services) =>
    updateAgentPresence(services, caller.tenantId, params.agentId, {
      ...body,
      source: { kind: "partner", providerId: caller.providerId },
    }),
});
