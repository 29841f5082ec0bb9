import { defineHttp } from "./http/defineHttp.js";
import { AgentPath, Presence } from "../shared/schemas/presence.js";
import { readAgentPresence } from "../shared/presence/updatePresence.js";

export const getPresence = defineHttp({
  name: "getPresence",
  method: "GET",
  route: "v1/agents/{agentId}/presence",
  auth: "partner",
  summary: "Read an agent's presence (`offline` if it was never set).",
  tags: ["Presence"],
  params: AgentPath,
  success: { status: 200, description: "The agent's presence.", schema: Presence },
  errors: ["not_found"],
  handler: ({ params, caller }, services) => readAgentPresence(services, caller.tenantId, params.agentId),
});
