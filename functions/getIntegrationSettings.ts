import { defineHttp } from "./http/defineHttp.js";
import { CrmSettings } from "../shared/schemas/crmSettings.js";
import { getCrmSettings } from "../shared/tenancy/crmSettingsStore.js";

export const getIntegrationSettings = defineHttp({
  name: "getIntegrationSettings",
  method: "GET",
  route: "v1/integration/settings",
  auth: "integration",
  summary: "The tenant's CRM settings: its origins, where records live, its Entra sign-in (the defaults until first put).",
  tags: ["Integration"],
  success: { status: 200, description: "The stored settings.", schema: CrmSettings },
  errors: ["unauthenticated"],
  handler: ({ caller }, services) => getCrmSettings(services.tables, caller.tenantId),
});
