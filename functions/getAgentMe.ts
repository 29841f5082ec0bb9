import { defineHttp } from "./http/defineHttp.js";
import { AgentMe } from "../shared/schemas/agent.js";
import { describeAgentMe } from "../shared/agentDesk/agentSession.js";

export const getAgentMe = defineHttp({
  name: "getAgentMe",
  method: "GET",
  route: "v1/agent/me",
  auth: "agent",
  summary: "The signed-in agent.",
  tags: ["Agent"],
  success: { status: 200, description: "The agent, its tenant, and where the tenant's records live (`crm.records`).", schema: AgentMe },
  errors: ["unauthenticated", "forbidden"],
  handler: ({ caller }, services) => describeAgentMe(services, caller),
});
