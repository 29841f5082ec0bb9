import { defineHttp } from "./http/defineHttp.js";
import { Presence } from "../shared/schemas/presence.js";
import { readAgentPresence } from "../shared/presence/updatePresence.js";

export const getAgentPresence = defineHttp({
  name: "getAgentPresence",
  method: "GET",
  route: "v1/agent/presence",
  auth: "agent",
  summary: "The signed-in agent's presence (`offline` if it was never set).",
  tags: ["Agent"],
  success: { status: 200, description: "The agent's presence.", schema: Presence },
  errors: ["unauthenticated", "forbidden", "not_found"],
  handler: ({ caller }, services) => readAgentPresence(services, caller.tenantId, caller.agentId),
});
