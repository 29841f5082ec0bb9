import { z } from "zod";
import { defineHttp } from "./http/defineHttp.js";
import { AgentList } from "../shared/schemas/agent.js";
import { CursorQuery } from "../shared/schemas/cursor.js";
import { listAgents as listTenantAgents } from "../shared/tenancy/listAgents.js";

export const listAgents = defineHttp({
  name: "listAgents",
  method: "GET",
  route: "v1/agents",
  auth: "partner",
  summary: "The tenant's agents (id, name, presence, the calling provider's own id of each), by agent id: the ids the partner's events, presence and pops name.",
  tags: ["Presence"],
  query: z.object(CursorQuery),
  success: { status: 200, description: "One page; follow `nextCursor` for the next.", schema: AgentList },
  errors: ["unauthenticated", "invalid_request"],
  handler: async ({ query, caller }, services) => {
    const page = await listTenantAgents(services, caller, query);
    return { agents: page.items, nextCursor: page.nextCursor };
  },
});
