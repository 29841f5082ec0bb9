import { defineHttp } from "./http/defineHttp.js";
import { LookupQuery, LookupResult } from "../shared/schemas/directoryRoutes.js";
import { lookupCaller } from "../shared/directory/lookupCaller.js";

export const searchAgentDirectory = defineHttp({
  name: "searchAgentDirectory",
  method: "GET",
  route: "v1/agent/search",
  auth: "agent",
  summary: "Search the agent's tenant directory by phone or e-mail (the reference desktop's search page).",
  tags: ["Agent"],
  query: LookupQuery,
  success: { status: 200, description: "Matches, contacts first.", schema: LookupResult },
  errors: ["unauthenticated", "forbidden", "invalid_request"],
  handler: ({ query, caller }, services) => lookupCaller(services, caller.tenantId, query),
});
