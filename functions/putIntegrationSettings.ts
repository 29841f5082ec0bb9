import { defineHttp } from "./http/defineHttp.js";
import { CrmSettings } from "../shared/schemas/crmSettings.js";
import { putCrmSettings } from "../shared/tenancy/crmSettingsStore.js";

export const putIntegrationSettings = defineHttp({
  name: "putIntegrationSettings",
  method: "PUT",
  route: "v1/integration/settings",
  auth: "integration",
  summary:
    "Replace the tenant's CRM settings: the origins allowed for CORS, frame-ancestors and cookie requests, where records live, and the Entra ID authority whose access tokens agents may present.",
  tags: ["Integration"],
  body: CrmSettings,
  success: { status: 200, description: "The stored settings.", schema: CrmSettings },
  errors: ["unauthenticated", "invalid_request"],
  handler: ({ body, caller }, services) => putCrmSettings(services.tables, caller.tenantId, body, services.caches),
});
