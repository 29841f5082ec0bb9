import { defineHttp } from "./http/defineHttp.js";
import { KpiQuery, KpiReport } from "../shared/schemas/analytics.js";
import { readKpiReport } from "../shared/analytics/kpiReport.js";
import { partnerProviders } from "../shared/analytics/analyticsAccess.js";

export const getKpis = defineHttp({
  name: "getKpis",
  method: "GET",
  route: "v1/analytics/kpis",
  auth: "partner",
  summary: "The calling provider's channel KPIs over a range, per interval (docs/kpis.md states every formula).",
  tags: ["Analytics"],
  query: KpiQuery,
  success: { status: 200, description: "The figures, per channel (and queue or agent with `by`) and interval.", schema: KpiReport },
  errors: ["unauthenticated", "forbidden", "invalid_request"],
  handler: ({ query, caller }, services) => readKpiReport(services, caller.tenantId, query, partnerProviders(caller, query.providerId)),
});
