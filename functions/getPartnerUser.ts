import { defineHttp } from "./http/defineHttp.js";
import { PartnerUserLink } from "../shared/schemas/agent.js";
import { AgentPath } from "../shared/schemas/presence.js";
import { getPartnerUser as readPartnerUser } from "../shared/tenancy/partnerUsers.js";

export const getPartnerUser = defineHttp({
  name: "getPartnerUser",
  method: "GET",
  route: "v1/agents/{agentId}/partner-user",
  auth: "partner",
  summary: "Read the calling provider's own id of an agent.",
  tags: ["Presence"],
  params: AgentPath,
  success: { status: 200, description: "The link.", schema: PartnerUserLink },
  errors: ["unauthenticated", "not_found"],
  handler: ({ params, caller }, services) => readPartnerUser(services, caller, params.agentId),
});
