import { defineHttp } from "./http/defineHttp.js";
import { LookupQuery, LookupResult } from "../shared/schemas/directoryRoutes.js";
import { lookupCaller } from "../shared/directory/lookupCaller.js";

export const lookupDirectory = defineHttp({
  name: "lookupDirectory",
  method: "GET",
  route: "v1/directory/lookup",
  auth: "partner",
  summary: "Find the contacts and accounts for a phone number or e-mail address (caller id).",
  tags: ["Directory"],
  query: LookupQuery,
  success: { status: 200, description: "Matches, contacts first.", schema: LookupResult },
  errors: ["invalid_request"],
  handler: ({ query, caller }, services) => lookupCaller(services, caller.tenantId, query),
});
