import { defineHttp } from "./http/defineHttp.js";
import { KpiSettings } from "../shared/schemas/analytics.js";
import { getKpiSettings } from "../shared/analytics/kpiSettingsStore.js";
import { requireSupervisor } from "../shared/agentDesk/agentSession.js";

export const getAgentKpiSettings = defineHttp({
  name: "getAgentKpiSettings",
  method: "GET",
  route: "v1/agent/analytics/settings",
  auth: "agent",
  summary: "Supervisors: the tenant's KPI settings (short-abandon threshold, service-level target).",
  tags: ["Analytics"],
  success: { status: 200, description: "The settings (the defaults until set).", schema: KpiSettings },
  errors: ["unauthenticated", "forbidden"],
  handler: async ({ caller }, services) => {
    await requireSupervisor(services, caller);
    return getKpiSettings(services.tables, caller.tenantId);
  },
});
