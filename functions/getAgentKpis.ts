import { defineHttp } from "./http/defineHttp.js";
import { KpiQuery, KpiReport } from "../shared/schemas/analytics.js";
import { readKpiReport } from "../shared/analytics/kpiReport.js";
import { supervisorProviders } from "../shared/analytics/analyticsAccess.js";

export const getAgentKpis = defineHttp({
  name: "getAgentKpis",
  method: "GET",
  route: "v1/agent/analytics/kpis",
  auth: "agent",
  summary: "Supervisors: the tenant's channel KPIs over a range, per provider, channel and interval (the dashboard).",
  tags: ["Analytics"],
  query: KpiQuery,
  success: { status: 200, description: "The figures, per provider and channel (and queue or agent with `by`) and interval.", schema: KpiReport },
  errors: ["unauthenticated", "forbidden", "invalid_request", "not_found"],
  handler: async ({ query, caller }, services) =>
    readKpiReport(services, caller.tenantId, query, await supervisorProviders(services, caller, query.providerId)),
});
