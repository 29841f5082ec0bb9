import { defineHttp } from "./http/defineHttp.js";
import { Agent } from "../shared/schemas/agent.js";
import { describeAgent } from "../shared/agentDesk/agentSession.js";

export const getAgentMe = defineHttp({
  name: "getAgentMe",
  method: "GET",
  route: "v1/agent/me",
  auth: "agent",
  summary: "The signed-in agent.",
  tags: ["Agent"],
  success: { status: 200, description: "The agent and its tenant.", schema: Agent },
  errors: ["unauthenticated", "forbidden"],
  handler: ({ caller }, services) => describeAgent(services, caller),
});
