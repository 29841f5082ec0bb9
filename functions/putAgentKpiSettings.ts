import { defineHttp } from "./http/defineHttp.js";
import { KpiSettings } from "../shared/schemas/analytics.js";
import { putKpiSettings } from "../shared/analytics/kpiSettingsStore.js";
import { requireSupervisor } from "../shared/agentDesk/agentSession.js";

export const putAgentKpiSettings = defineHttp({
  name: "putAgentKpiSettings",
  method: "PUT",
  route: "v1/agent/analytics/settings",
  auth: "agent",
  summary: "Supervisors: set the tenant's KPI settings; past intervals are recomputed with them (docs/kpis.md).",
  tags: ["Analytics"],
  body: KpiSettings,
  success: { status: 200, description: "The stored settings; the figures follow within a few projection runs.", schema: KpiSettings },
  errors: ["unauthenticated", "forbidden", "invalid_request", "unsupported_media_type"],
  handler: async ({ body, caller }, services) => {
    await requireSupervisor(services, caller);
    return (await putKpiSettings(services.tables, caller.tenantId, body)).settings;
  },
});
