import { defineHttp } from "./http/defineHttp.js";
import { NegotiateResponse } from "../shared/schemas/agent.js";
import { negotiateAgentConnection } from "../shared/agentDesk/agentSession.js";

export const negotiate = defineHttp({
  name: "negotiate",
  method: "POST",
  route: "v1/agent/negotiate",
  auth: "agent",
  summary: "Web PubSub client URL for the signed-in agent: receives its own pops and its tenant's broadcasts, nothing else.",
  tags: ["Agent"],
  success: { status: 200, description: "Connect a WebSocket to `url`.", schema: NegotiateResponse },
  errors: ["unauthenticated", "forbidden"],
  handler: ({ caller }, services) => negotiateAgentConnection(services, caller),
});
