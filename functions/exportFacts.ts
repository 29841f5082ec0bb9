import { defineHttp } from "./http/defineHttp.js";
import { FactsExport, FactsExportQuery } from "../shared/schemas/analytics.js";
import { exportFacts as readFacts } from "../shared/analytics/factsExport.js";
import { factsAlternatives, renderFacts } from "./http/factsFormats.js";

export const exportFacts = defineHttp({
  name: "exportFacts",
  method: "GET",
  route: "v1/analytics/conversations",
  auth: "partner",
  summary: "Export the calling provider's per-conversation facts incrementally (JSON, JSON lines or CSV; keep the cursor).",
  tags: ["Analytics"],
  query: FactsExportQuery,
  success: {
    status: 200,
    description: "Records computed since the cursor (or `since`), oldest first, and the cursor to continue.",
    schema: FactsExport,
    alternatives: factsAlternatives,
  },
  render: renderFacts,
  errors: ["unauthenticated", "invalid_request"],
  handler: ({ query, caller }, services) => readFacts(services, caller.tenantId, caller.providerId, query),
});
