import { defineHttp } from "./http/defineHttp.js";
import { LookupQuery, LookupResult } from "../shared/schemas/directoryRoutes.js";
import { lookupPartnerCaller } from "../shared/directory/lookupCaller.js";

export const lookupDirectory = defineHttp({
  name: "lookupDirectory",
  method: "GET",
  route: "v1/directory/lookup",
  auth: "partner",
  summary: "Find the caller's records for a phone number or e-mail address (caller id), where the tenant keeps them (`source`).",
  tags: ["Directory"],
  query: LookupQuery,
  success: {
    status: 200,
    description: "Matches: from the directory (contacts first), or from the tenant's look-up webhook in its order; none when the records live in the CRM page (`source`: `host`).",
    schema: LookupResult,
  },
  errors: ["invalid_request"],
  handler: ({ query, caller }, services) => lookupPartnerCaller(services, caller, query),
});
