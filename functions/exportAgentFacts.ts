import { defineHttp } from "./http/defineHttp.js";
import { ProviderId } from "../shared/schemas/ids.js";
import { FactsExport, FactsExportQuery } from "../shared/schemas/analytics.js";
import { exportFacts } from "../shared/analytics/factsExport.js";
import { supervisorProviders } from "../shared/analytics/analyticsAccess.js";
import { factsAlternatives, renderFacts } from "./http/factsFormats.js";

export const exportAgentFacts = defineHttp({
  name: "exportAgentFacts",
  method: "GET",
  route: "v1/agent/analytics/conversations",
  auth: "agent",
  summary: "Supervisors: export one provider's per-conversation facts incrementally (JSON, JSON lines or CSV).",
  tags: ["Analytics"],
  query: FactsExportQuery.extend({ providerId: ProviderId.describe("The provider whose facts to export.") }),
  success: {
    status: 200,
    description: "Records computed since the cursor (or `since`), oldest first, and the cursor to continue.",
    schema: FactsExport,
    alternatives: factsAlternatives,
  },
  render: renderFacts,
  errors: ["unauthenticated", "forbidden", "invalid_request", "not_found"],
  handler: async ({ query, caller }, services) => {
    await supervisorProviders(services, caller, query.providerId);
    return exportFacts(services, caller.tenantId, query.providerId, query);
  },
});
