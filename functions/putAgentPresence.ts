import { defineHttp } from "./http/defineHttp.js";
import { AgentPresenceInput, Presence } from "../shared/schemas/presence.js";
import { updateAgentPresence } from "../shared/presence/updatePresence.js";

export const putAgentPresence = defineHttp({
  name: "putAgentPresence",
  method: "PUT",
  route: "v1/agent/presence",
  auth: "agent",
  summary: "Set the signed-in agent's own presence, as of now.",
  tags: ["Agent"],
  body: AgentPresenceInput,
  success: { status: 200, description: "The stored presence.", schema: Presence },
  errors: ["unauthenticated", "forbidden", "invalid_request", "not_found", "conflict", "push_unavailable"],
  handler: ({ body, caller }, services) =>
    updateAgentPresence(services, caller.tenantId, caller.agentId, { ...body, source: { kind: "agent" } }),
});
