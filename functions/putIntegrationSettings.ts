import { defineHttp } from "./http/defineHttp.js";
import { CrmSettings } from "../shared/schemas/crmSettings.js";
import { putCrmSettings } from "../shared/tenancy/crmSettingsStore.js";
import { checkWebhookTarget } from "../shared/webhooks/endpointStore.js";

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
  handler: async ({ body, caller }, services) => {
    // The look-up URL obeys the rules of webhook endpoint URLs, refused here rather than at the first call.
    if (body.lookupWebhook) await checkWebhookTarget(services.config, body.lookupWebhook.url, "#/lookupWebhook/url");
    return putCrmSettings(services.tables, caller.tenantId, body, services.caches);
  },
});
