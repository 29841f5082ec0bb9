import { defineHttp } from "./http/defineHttp.js";
import { PartnerUserInput, PartnerUserLink } from "../shared/schemas/agent.js";
import { AgentPath } from "../shared/schemas/presence.js";
import { linkPartnerUser } from "../shared/tenancy/partnerUsers.js";

export const putPartnerUser = defineHttp({
  name: "putPartnerUser",
  method: "PUT",
  route: "v1/agents/{agentId}/partner-user",
  auth: "partner",
  summary: "Set the calling provider's own id of an agent (its user id in the partner's system): its events may then name the agent by either id.",
  tags: ["Presence"],
  params: AgentPath,
  body: PartnerUserInput,
  success: { status: 200, description: "The link as stored (a repeat changes nothing; a new id replaces the agent's earlier one).", schema: PartnerUserLink },
  errors: ["unauthenticated", "invalid_request", "not_found", "conflict"],
  handler: ({ params, body, caller }, services) => linkPartnerUser(services, caller, { agentId: params.agentId, partnerUserId: body.partnerUserId }),
});
