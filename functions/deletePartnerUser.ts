import { defineHttp } from "./http/defineHttp.js";
import { DeletedPartnerUserLink } from "../shared/schemas/agent.js";
import { AgentPath } from "../shared/schemas/presence.js";
import { unlinkPartnerUser } from "../shared/tenancy/partnerUsers.js";

export const deletePartnerUser = defineHttp({
  name: "deletePartnerUser",
  method: "DELETE",
  route: "v1/agents/{agentId}/partner-user",
  auth: "partner",
  summary: "Remove the calling provider's own id of an agent: its events name the agent by its agent id again.",
  tags: ["Presence"],
  params: AgentPath,
  success: { status: 200, description: "Deleted.", schema: DeletedPartnerUserLink },
  errors: ["unauthenticated", "not_found"],
  handler: ({ params, caller }, services) => unlinkPartnerUser(services, caller, params.agentId),
});
