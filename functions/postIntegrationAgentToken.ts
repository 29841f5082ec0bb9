import { defineHttp } from "./http/defineHttp.js";
import { AgentToken, AgentTokenRequest } from "../shared/schemas/integration.js";
import { mintAgentToken } from "../shared/auth/agentTokens.js";

export const postIntegrationAgentToken = defineHttp({
  name: "postIntegrationAgentToken",
  method: "POST",
  route: "v1/integration/agent-tokens",
  auth: "integration",
  summary:
    "Mint a short-lived agent token (the CRM's backend, server to server): the CRM page sends it as `Authorization: Bearer` on the agent routes.",
  tags: ["Integration"],
  body: AgentTokenRequest,
  success: { status: 201, description: "The token and when it expires.", schema: AgentToken },
  errors: ["unauthenticated", "invalid_request", "not_found"],
  handler: ({ body, caller }, services) => mintAgentToken(services, caller, body),
});
