import { defineHttp } from "./http/defineHttp.js";
import { FactsExportQuery } from "../shared/schemas/analytics.js";
import { exportFacts as readFacts } from "../shared/analytics/factsExport.js";
import { factsExportSuccess, renderFacts } from "./http/factsFormats.js";

export const exportFacts = defineHttp({
  name: "exportFacts",
  method: "GET",
  route: "v1/analytics/conversations",
  auth: "partner",
  summary: "Export the calling provider's per-conversation facts incrementally (JSON, JSON lines or CSV; keep the cursor).",
  tags: ["Analytics"],
  query: FactsExportQuery,
  success: factsExportSuccess,
  render: renderFacts,
  errors: ["unauthenticated", "invalid_request"],
  handler: ({ query, caller }, services) => readFacts(services, caller.tenantId, caller.providerId, query),
});
